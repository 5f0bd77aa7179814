// nn.ConvTranspose2d: 2-D transposed convolution (weight [in, out/groups, *kernel]; output_padding, output_size).

import { defineConvTranspose } from './convCommon';

export const ConvTranspose2dClass = defineConvTranspose(2);
