// nn.AdaptiveAvgPool3d: average pooling to a fixed output size (None keeps a dim), forward = F.adaptive_avg_pool3d.

import { defineAdaptivePool } from './poolCommon';

export const AdaptiveAvgPool3dClass = defineAdaptivePool(3, 'avg');
