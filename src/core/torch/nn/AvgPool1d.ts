// nn.AvgPool1d: 1-D average pooling (stride defaults to kernel_size), forward = F.avg_pool1d.

import { defineAvgPool } from './poolCommon';

export const AvgPool1dClass = defineAvgPool(1);
