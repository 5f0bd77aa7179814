// nn.AvgPool2d: 2-D average pooling (stride defaults to kernel_size), forward = F.avg_pool2d.

import { defineAvgPool } from './poolCommon';

export const AvgPool2dClass = defineAvgPool(2);
