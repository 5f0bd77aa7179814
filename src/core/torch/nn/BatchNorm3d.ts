// nn.BatchNorm3d: batch normalization over (N, C, D, H, W) inputs.

import { defineBatchNorm } from './batchNormCommon';

export const BatchNorm3dClass = defineBatchNorm(3, [5], '5D');
