import { readFileSync } from 'node:fs';
import { traceNumeric } from './src/core/numericEngine';
(async () => {
  const file = process.argv[2];
  const t0 = Date.now();
  const r = await traceNumeric({ file, text: readFileSync(file, 'utf8'), backend: (process.argv[3] as any) ?? 'wasm' });
  process.stdout.write(r.stdout);
  for (const d of r.diagnostics) console.log('DIAG', d.severity, d.code, d.message, d.location.line);
  console.log('backend', r.backend, 'ms', Date.now() - t0);
})();
