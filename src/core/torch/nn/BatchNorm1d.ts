// nn.BatchNorm1d: batch normalization over (N, C) or (N, C, L) inputs.

import { defineBatchNorm } from './batchNormCommon';

export const BatchNorm1dClass = defineBatchNorm(1, [2, 3], '2D or 3D');
