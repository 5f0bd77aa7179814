// nn.Identity: returns its input unchanged (accepts and ignores any constructor arguments).

import { defineLayer } from './layer';

export const IdentityClass = defineLayer({
  name: 'Identity',
  module: 'torch.nn.modules.linear',
  sig: 'Identity.__init__(self, *args, **kwargs)',
  forward: (_self, call, ctx) => {
    const x = call.args[0] ?? call.kwargs.get('input');
    if (x === undefined) return ctx.interp.raise('TypeError', "Identity.forward() missing 1 required positional argument: 'input'");
    return x;
  },
});
