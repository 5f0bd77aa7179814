// nn.AdaptiveAvgPool1d: average pooling to a fixed output size (None keeps a dim), forward = F.adaptive_avg_pool1d.

import { defineAdaptivePool } from './poolCommon';

export const AdaptiveAvgPool1dClass = defineAdaptivePool(1, 'avg');
