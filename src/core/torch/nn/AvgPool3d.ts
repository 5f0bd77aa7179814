// nn.AvgPool3d: 3-D average pooling (stride defaults to kernel_size), forward = F.avg_pool3d.

import { defineAvgPool } from './poolCommon';

export const AvgPool3dClass = defineAvgPool(3);
