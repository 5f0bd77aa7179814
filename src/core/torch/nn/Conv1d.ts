// nn.Conv1d: 1-D convolution layer (weight [out, in/groups, *kernel], optional bias), forward = F.conv1d.

import { defineConv } from './convCommon';

export const Conv1dClass = defineConv(1);
