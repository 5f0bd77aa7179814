// The seeded random generator behind randn/rand/randint/dropout/init in numeric mode. torch.manual_seed(s) makes a
// run repeatable; the values are our own (xoshiro128** + Box-Muller), not PyTorch's Mersenne Twister stream.

/** PyTorch's default seed (default_rng_seed_val), used until the script calls manual_seed. */
export const DEFAULT_SEED = 67280421310721;

export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;
  initialSeed = DEFAULT_SEED;

  constructor(seed: number = DEFAULT_SEED) {
    this.seed(seed);
  }

  /** Re-seeds (splitmix32 expands the seed into the 128-bit state). */
  seed(seed: number): void {
    this.initialSeed = seed;
    let x = (Math.floor(Math.abs(seed)) % 4294967296) ^ Math.floor(Math.abs(seed) / 4294967296) ^ 0x9e3779b9;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    this.spare = null;
  }

  /** Next raw 32-bit value (xoshiro128**). */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits (every value exactly representable in float32). */
  random(): number {
    return (this.next() >>> 8) / 16777216;
  }

  /** Standard normal (Marsaglia's polar method, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  fillNormal(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    let i = 0;
    if (this.spare !== null && n > 0) out[i++] = mean + std * this.normal();
    // Pairs inline (the hot path of randn on big inputs).
    while (i + 1 < n) {
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * this.random() - 1;
        v = 2 * this.random() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = std * Math.sqrt((-2 * Math.log(s)) / s);
      out[i++] = mean + u * f;
      out[i++] = mean + v * f;
    }
    if (i < n) out[i] = mean + std * this.normal();
    return out;
  }

  fillUniform(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    const w = hi - lo;
    for (let i = 0; i < n; i++) out[i] = lo + w * this.random();
    return out;
  }

  /** Integers in [lo, hi). */
  fillInt(n: number, lo: number, hi: number): Int32Array {
    const out = new Int32Array(n);
    const w = hi - lo;
    for (let i = 0; i < n; i++) out[i] = lo + Math.floor(this.random() * w);
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
