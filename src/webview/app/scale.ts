// Scales and ticks for the panel's SVG charts (log axis for gradient norms, linear axis for statistics). Pure, no DOM.

/** Maps a value to pixels; `ticks` are values worth labelling. */
export interface Scale {
  (v: number): number;
  domain: [number, number];
  ticks: number[];
}

/** A base-10 log scale over the positive values given, widened to whole decades; non-positive values map to the start. */
export function logScale(values: readonly number[], range: [number, number]): Scale {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  let lo = pos.length ? Math.floor(Math.log10(Math.min(...pos))) : -3;
  const hi = pos.length ? Math.ceil(Math.log10(Math.max(...pos))) : 0;
  if (hi === lo) lo -= 1; // an exact power of ten: show the decade below it too
  const [r0, r1] = range;
  const f = ((v: number): number => {
    if (!(v > 0)) return r0;
    const t = (Math.log10(v) - lo) / (hi - lo);
    return r0 + Math.min(1, Math.max(0, t)) * (r1 - r0);
  }) as Scale;
  f.domain = [10 ** lo, 10 ** hi];
  // At most ~6 labelled decades: skip every other one on wide ranges.
  const step = Math.max(1, Math.ceil((hi - lo) / 6));
  f.ticks = [];
  for (let e = lo; e <= hi; e += step) f.ticks.push(10 ** e);
  return f;
}

/** A "nice" step (1, 2 or 5 × 10^k) for about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
}

/** A linear scale over [min, max] padded by 4%; ticks are the nice values (1, 2, 5 × 10^k steps) inside it. */
export function linearScale(min: number, max: number, range: [number, number], count = 4): Scale {
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  if (min === max) [min, max] = [min - 1, max + 1];
  const pad = (max - min) * 0.04;
  const lo = min - pad;
  const hi = max + pad;
  const step = niceStep(hi - lo, count);
  const [r0, r1] = range;
  const f = ((v: number): number => r0 + ((v - lo) / (hi - lo)) * (r1 - r0)) as Scale;
  f.domain = [lo, hi];
  f.ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) f.ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return f;
}

/** Tick text for a power of ten: 1e-7, 0.01, 1, 100, 1e5. */
export function decadeLabel(v: number): string {
  const e = Math.round(Math.log10(v));
  if (e >= -2 && e <= 3) return String(10 ** e >= 1 ? 10 ** e : Number((10 ** e).toFixed(-e)));
  return `1e${e}`;
}
