// nn.Conv2d: 2-D convolution layer (weight [out, in/groups, *kernel], optional bias), forward = F.conv2d.

import { defineConv } from './convCommon';

export const Conv2dClass = defineConv(2);
