// nn.Dropout2d: channel-wise dropout for (N, C, H, W) inputs, forward = F.dropout2d.

import { defineDropout } from './dropoutCommon';

export const Dropout2dClass = defineDropout('Dropout2d', 'F.dropout2d');
