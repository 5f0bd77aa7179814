// nn.MaxPool3d: 3-D max pooling (stride defaults to kernel_size), forward = F.max_pool3d.

import { defineMaxPool } from './poolCommon';

export const MaxPool3dClass = defineMaxPool(3);
