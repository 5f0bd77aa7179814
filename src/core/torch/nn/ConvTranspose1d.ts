// nn.ConvTranspose1d: 1-D transposed convolution (weight [in, out/groups, *kernel]; output_padding, output_size).

import { defineConvTranspose } from './convCommon';

export const ConvTranspose1dClass = defineConvTranspose(1);
