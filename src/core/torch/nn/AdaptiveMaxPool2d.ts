// nn.AdaptiveMaxPool2d: max pooling to a fixed output size, forward = F.adaptive_max_pool2d.

import { defineAdaptivePool } from './poolCommon';

export const AdaptiveMaxPool2dClass = defineAdaptivePool(2, 'max');
