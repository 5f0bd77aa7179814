// nn.AdaptiveAvgPool2d: average pooling to a fixed output size (None keeps a dim), forward = F.adaptive_avg_pool2d.

import { defineAdaptivePool } from './poolCommon';

export const AdaptiveAvgPool2dClass = defineAdaptivePool(2, 'avg');
