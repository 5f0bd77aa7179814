// nn.MaxPool2d: 2-D max pooling (stride defaults to kernel_size), forward = F.max_pool2d.

import { defineMaxPool } from './poolCommon';

export const MaxPool2dClass = defineMaxPool(2);
