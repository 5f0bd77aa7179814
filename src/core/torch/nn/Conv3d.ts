// nn.Conv3d: 3-D convolution layer (weight [out, in/groups, *kernel], optional bias), forward = F.conv3d.

import { defineConv } from './convCommon';

export const Conv3dClass = defineConv(3);
