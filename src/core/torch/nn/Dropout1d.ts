// nn.Dropout1d: channel-wise dropout for (N, C, L) inputs, forward = F.dropout1d.

import { defineDropout } from './dropoutCommon';

export const Dropout1dClass = defineDropout('Dropout1d', 'F.dropout1d');
