// nn.BatchNorm2d: batch normalization over (N, C, H, W) inputs.

import { defineBatchNorm } from './batchNormCommon';

export const BatchNorm2dClass = defineBatchNorm(2, [4], '4D');
