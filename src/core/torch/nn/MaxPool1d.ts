// nn.MaxPool1d: 1-D max pooling (stride defaults to kernel_size), forward = F.max_pool1d.

import { defineMaxPool } from './poolCommon';

export const MaxPool1dClass = defineMaxPool(1);
