// nn.AdaptiveMaxPool1d: max pooling to a fixed output size, forward = F.adaptive_max_pool1d.

import { defineAdaptivePool } from './poolCommon';

export const AdaptiveMaxPool1dClass = defineAdaptivePool(1, 'max');
