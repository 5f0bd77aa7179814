// nn.Dropout(p=0.5, inplace=False): identity in eval mode, forward = F.dropout.

import { defineDropout } from './dropoutCommon';

export const DropoutClass = defineDropout('Dropout', 'F.dropout');
