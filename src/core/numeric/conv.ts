// PyTorch-semantics convolutions and their gradients on TensorFlow.js.
//
// Two layers:
//  * NHWC core (`convForwardNHWC`, `convBackwardInputNHWC`, `convBackwardWeightNHWC`): activations
//    channels-last, filters in "grouped HWIO" layout [kh, kw, Cin/groups, Cout]. Everything is expressed
//    as forward Conv2D / DepthwiseConv2dNative kernels (XNNPACK on wasm) plus cheap layout ops, because
//    stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel and a slow Conv2DBackpropInput.
//  * NCHW wrappers with PyTorch's layouts and argument conventions (`conv2d`, `conv2dBackward*`,
//    `conv1d*`, `convTranspose2d*`). They transpose at the boundary; an engine that keeps activations
//    channels-last should call the NHWC core directly and skip those transposes.
//
// Gradient formulas (per spatial dimension; stride s, dilation d, kernel k, padding p_lo):
//  * grad-input: the transposed convolution is split into s "phases" (output rows idx ≡ r mod s). Each
//    phase is a stride-1 correlation of dy with the taps a that hit it (a·d ≡ r + p_lo mod s), flipped,
//    with dilation d/gcd(d,s). The s_h·s_w phase results are interleaved by stack/pad + reshape (tfjs-wasm's
//    DepthToSpace and StridedSlice are per-element loops, 50–100× slower). For stride 1
//    this is the usual "conv of dy with the flipped, IO-transposed filter". No FLOP is wasted on the zeros
//    that a dilate-dy-by-stride formulation would multiply.
//  * grad-weight: dW[a,b,ci,co] = Σ_{n,i,j} x[n, s·i+d·a−p, s·j+d·b−p, ci] · dy[n,i,j,co]. Computed as
//    GEMMs over chunks of the pixel sum (im2col block of x × block of dy; see weightGradChunked), so that
//    XNNPACK's packed dy block stays in cache; WEIGHT_GRAD_STRATEGY selects the alternatives measured by
//    the bench (one conv that treats Cin as the batch and N as the channels, or one unchunked GEMM).
// All functions are pure: inputs are never disposed, every intermediate is (tf.tidy).

import * as tf from '@tensorflow/tfjs-core';
import { copyRuns, ensureCopyRunsKernel } from './copyRuns';
import { channelSumLast } from './reduce';

export type IntPair = [number, number];
/** PyTorch padding: int, (ph, pw), 'valid', 'same', or explicit asymmetric ((top, bottom), (left, right)). */
export type Padding2d = number | IntPair | 'valid' | 'same' | [IntPair, IntPair];

export interface Conv2dOptions {
  stride?: number | IntPair;
  padding?: Padding2d;
  dilation?: number | IntPair;
  groups?: number;
}

/** Everything a conv needs, resolved: sizes, explicit per-side padding, output size. */
export interface ConvGeometry {
  N: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  groups: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** padding top / bottom / left / right */
  pt: number;
  pb: number;
  pl: number;
  pr: number;
  Ho: number;
  Wo: number;
}

function pair(v: number | IntPair | undefined, dflt: number, what: string): IntPair {
  const p: IntPair = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  for (const n of p) {
    if (!Number.isInteger(n)) throw new Error(`${what} must be an integer or a pair of integers, got ${JSON.stringify(v)}`);
  }
  return p;
}

const shapeStr = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Resolves a PyTorch conv2d call on an NCHW input of shape `xShape` and a weight of shape
 * [Cout, Cin/groups, kh, kw]. Throws PyTorch-like messages for invalid combinations.
 */
export function convGeometry(xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions = {}): ConvGeometry {
  if (xShape.length !== 4) throw new Error(`Expected 4D (batched) input to conv2d, but got input of size: ${shapeStr(xShape)}`);
  if (wShape.length !== 4) throw new Error(`conv2d weight must be 4D [out_channels, in_channels/groups, kH, kW], got ${shapeStr(wShape)}`);
  const [N, Cin, H, W] = xShape;
  const [Cout, kPerGroup, kh, kw] = wShape;
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error('non-positive groups is not supported');
  if (Cout % groups !== 0) throw new Error('out_channels must be divisible by groups');
  if (kPerGroup * groups !== Cin) {
    throw new Error(
      `Given groups=${groups}, weight of size ${shapeStr(wShape)}, expected input${shapeStr(xShape)} to have ` +
        `${kPerGroup * groups} channels, but got ${Cin} channels instead`,
    );
  }
  const [sh, sw] = pair(opts.stride, 1, 'stride');
  const [dh, dw] = pair(opts.dilation, 1, 'dilation');
  if (sh < 1 || sw < 1) throw new Error('non-positive stride is not supported');
  if (dh < 1 || dw < 1) throw new Error('dilation should be greater than zero');
  let pt: number, pb: number, pl: number, pr: number;
  const pad = opts.padding ?? 0;
  if (pad === 'valid') {
    pt = pb = pl = pr = 0;
  } else if (pad === 'same') {
    if (sh !== 1 || sw !== 1) throw new Error("padding='same' is not supported for strided convolutions");
    // PyTorch puts the odd extra element on the bottom / right.
    const th = dh * (kh - 1);
    const tw = dw * (kw - 1);
    pt = Math.floor(th / 2);
    pb = th - pt;
    pl = Math.floor(tw / 2);
    pr = tw - pl;
  } else if (Array.isArray(pad) && Array.isArray(pad[0])) {
    const [[t, b], [l, r]] = pad as [IntPair, IntPair];
    [pt, pb, pl, pr] = [t, b, l, r];
  } else {
    const [ph, pw] = pair(pad as number | IntPair, 0, 'padding');
    [pt, pb, pl, pr] = [ph, ph, pw, pw];
  }
  for (const p of [pt, pb, pl, pr]) {
    if (!Number.isInteger(p) || p < 0) throw new Error('negative padding is not supported');
  }
  const effH = H + pt + pb;
  const effW = W + pl + pr;
  const ekh = dh * (kh - 1) + 1;
  const ekw = dw * (kw - 1) + 1;
  if (effH < ekh || effW < ekw) {
    throw new Error(
      `Calculated padded input size per channel: (${effH} x ${effW}). Kernel size: (${ekh} x ${ekw}). ` +
        `Kernel size can't be greater than actual input size`,
    );
  }
  const Ho = Math.floor((effH - ekh) / sh) + 1;
  const Wo = Math.floor((effW - ekw) / sw) + 1;
  return { N, H, W, Cin, Cout, groups, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, Ho, Wo };
}

// ------------------------------------------------------------------ kernel calls

type Pads = [IntPair, IntPair];

/** Conv2D kernel, NHWC, explicit padding. Called directly so that stride>1 with dilation>1 is allowed. */
function kConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: IntPair, pads: Pads, dil: IntPair): tf.Tensor4D {
  return tf.engine().runKernel(
    'Conv2D',
    { x, filter },
    { strides, pad: [[0, 0], pads[0], pads[1], [0, 0]], dataFormat: 'NHWC', dilations: dil } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/** Conv2D + bias in one XNNPACK call. */
function kFusedConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, strides: IntPair, pads: Pads, dil: IntPair): tf.Tensor4D {
  return tf.engine().runKernel(
    'FusedConv2D',
    { x, filter, bias },
    { strides, pad: [[0, 0], pads[0], pads[1], [0, 0]], dataFormat: 'NHWC', dilations: dil, activation: 'linear' } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/** DepthwiseConv2dNative kernel: filter [kh, kw, C, multiplier], output channel c·mult + m. */
function kDepthwise(x: tf.Tensor4D, filter: tf.Tensor4D, strides: IntPair, pads: Pads, dil: IntPair): tf.Tensor4D {
  return tf.engine().runKernel(
    'DepthwiseConv2dNative',
    { x, filter },
    { strides, pad: [[0, 0], pads[0], pads[1], [0, 0]], dataFormat: 'NHWC', dilations: dil } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/** Above this group count a grouped conv runs as one depthwise conv + a channel-group sum, not a loop. */
export const GROUP_SPLIT_MAX = 4;

/**
 * Grouped NHWC convolution: x [N,H,W,Cin], wg [kh,kw,Cin/g,Cout] (output channel o belongs to group
 * ⌊o/(Cout/g)⌋, exactly PyTorch's grouping), optional bias [Cout].
 */
export function groupedConvNHWC(
  x: tf.Tensor4D,
  wg: tf.Tensor4D,
  groups: number,
  strides: IntPair,
  pads: Pads,
  dil: IntPair,
  bias?: tf.Tensor1D | null,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [N, , , Cin] = x.shape;
    const [kh, kw, k, Cout] = wg.shape;
    const g = groups;
    const m = Cout / g;
    if (k * g !== Cin) throw new Error(`groupedConvNHWC: filter ${shapeStr(wg.shape)} does not match ${Cin} input channels / ${g} groups`);
    let y: tf.Tensor4D;
    if (g === 1) {
      return bias ? kFusedConv2d(x, wg, bias, strides, pads, dil) : kConv2d(x, wg, strides, pads, dil);
    } else if (k === 1) {
      // depthwise (with channel multiplier m): [kh,kw,1,Cin·m] → [kh,kw,Cin,m], same channel order
      y = kDepthwise(x, tf.reshape(wg, [kh, kw, Cin, m]), strides, pads, dil);
    } else if (g <= GROUP_SPLIT_MAX) {
      const xs = tf.split(x, g, 3) as tf.Tensor4D[];
      const ws = tf.split(wg, g, 3) as tf.Tensor4D[];
      y = tf.concat(xs.map((xi, j) => kConv2d(xi, ws[j], strides, pads, dil)), 3);
    } else {
      // Depthwise with multiplier m computes every (input channel, output-in-group) product; summing the k
      // input channels of each group gives the grouped conv with the same FLOPs as the grouped conv itself.
      const D = tf.reshape(tf.transpose(tf.reshape(wg, [kh, kw, k, g, m]), [0, 1, 3, 2, 4]), [kh, kw, Cin, m]) as tf.Tensor4D;
      const z = kDepthwise(x, D, strides, pads, dil); // channel (j·k + i)·m + mo
      const [, Ho, Wo] = z.shape;
      y = tf.reshape(tf.sum(tf.reshape(z, [N, Ho, Wo, g, k, m]), 4), [N, Ho, Wo, Cout]);
    }
    return bias ? tf.add(y, bias) : y;
  });
}

// ------------------------------------------------------------------ NHWC core

/** Forward conv: x NHWC [N,H,W,Cin], wg [kh,kw,Cin/g,Cout] → y NHWC [N,Ho,Wo,Cout]. */
export function convForwardNHWC(x: tf.Tensor4D, wg: tf.Tensor4D, geom: ConvGeometry, bias?: tf.Tensor1D | null): tf.Tensor4D {
  const g = geom;
  return groupedConvNHWC(x, wg, g.groups, [g.sh, g.sw], [[g.pt, g.pb], [g.pl, g.pr]], [g.dh, g.dw], bias);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** One spatial dimension of one grad-input phase. */
interface PhaseDim {
  /** first tap, tap step, tap count (0 → this phase gets no contribution) */
  a0: number;
  aStep: number;
  taps: number;
  /** dilation of the phase correlation */
  dil: number;
  /** explicit padding of dy for this phase (may be negative → crop instead) */
  padLo: number;
  padHi: number;
}

/**
 * Phases along one dimension: output rows idx = s·q + r (r in [0,s)), each computed for q in [0, Q) with
 * Q = ⌈In/s⌉ (rows ≥ In are computed and cropped after interleaving).
 */
function phaseDims(In: number, Out: number, k: number, s: number, d: number, pLo: number): { Q: number; phases: PhaseDim[] } {
  const Q = Math.ceil(In / s);
  const gd = gcd(d, s);
  const aStep = s / gd;
  const dil = d / gd;
  const phases: PhaseDim[] = [];
  for (let r = 0; r < s; r++) {
    // taps a with (r + pLo − a·d) ≡ 0 (mod s)
    let a0 = -1;
    for (let a = 0; a < Math.min(k, aStep); a++) {
      if ((((r + pLo - a * d) % s) + s) % s === 0) {
        a0 = a;
        break;
      }
    }
    if (a0 < 0) {
      phases.push({ a0: 0, aStep, taps: 0, dil, padLo: 0, padHi: 0 });
      continue;
    }
    const taps = Math.floor((k - 1 - a0) / aStep) + 1;
    // dx_r[q] = Σ_t dy[q + c0 − t·dil] · w[a0 + t·aStep],  c0 = (r + pLo − a0·d) / s
    const c0 = (r + pLo - a0 * d) / s;
    // as a correlation with the flipped taps: dyPadded[z] = dy[z + c0 − (taps−1)·dil]
    const padLo = (taps - 1) * dil - c0;
    // output length Q = Out + padLo + padHi − (taps−1)·dil
    const padHi = Q + (taps - 1) * dil - Out - padLo;
    phases.push({ a0, aStep, taps, dil, padLo, padHi });
  }
  return { Q, phases };
}

/** Correlation with possibly negative padding: negative padding crops the output instead. */
function convWithSignedPads(
  dy: tf.Tensor4D,
  filt: tf.Tensor4D,
  groups: number,
  pads: Pads,
  dil: IntPair,
  outH: number,
  outW: number,
): tf.Tensor4D {
  const [[t, b], [l, r]] = pads;
  const clamp: Pads = [[Math.max(0, t), Math.max(0, b)], [Math.max(0, l), Math.max(0, r)]];
  let y = groupedConvNHWC(dy, filt, groups, [1, 1], clamp, dil);
  const offH = Math.max(0, -t);
  const offW = Math.max(0, -l);
  if (offH > 0 || offW > 0 || y.shape[1] !== outH || y.shape[2] !== outW) {
    y = tf.slice(y, [0, offH, offW, 0], [-1, outH, outW, -1]);
  }
  return y;
}

/** [Th,Tw,k,g·m] taps (already selected and flipped) → filter of the transposed grouped conv [Th,Tw,m,g·k]. */
function transposeGroupedFilter(w: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [Th, Tw, k, Cout] = w.shape;
  if (groups === 1) return tf.transpose(w, [0, 1, 3, 2]);
  const m = Cout / groups;
  return tf.reshape(tf.transpose(tf.reshape(w, [Th, Tw, k, groups, m]), [0, 1, 4, 3, 2]), [Th, Tw, m, groups * k]) as tf.Tensor4D;
}

/**
 * Interleaves phase results along `axis` (1 = H, 2 = W) of NHWC tensors: result[..., q·s + r, ...] =
 * parts[r][..., q, ...]. `null` parts are zeros. One nonzero part is placed with a single pad (no zeros are
 * materialised); otherwise the parts are stacked on a new axis after `axis` and merged by a reshape.
 * (tfjs-backend-wasm's DepthToSpace and StridedSlice kernels are per-element loops, 50–100× slower.)
 */
function interleaveAxis(
  parts: (tf.Tensor4D | null)[],
  axis: 1 | 2,
  partShape: number[],
  zeros: (shape: number[]) => tf.Tensor4D,
): tf.Tensor4D | null {
  const s = parts.length;
  if (s === 1) return parts[0];
  const nonzero = parts.map((p, r) => (p ? r : -1)).filter((r) => r >= 0);
  if (nonzero.length === 0) return null;
  const merged = [...partShape];
  merged[axis] *= s;
  const split = [...partShape.slice(0, axis + 1), 1, ...partShape.slice(axis + 1)];
  if (nonzero.length === 1) {
    const r = nonzero[0];
    const pads: [number, number][] = split.map(() => [0, 0]);
    pads[axis + 1] = [r, s - 1 - r];
    return tf.reshape<tf.Rank>(tf.pad(tf.reshape<tf.Rank>(parts[r]!, split), pads), merged) as tf.Tensor4D;
  }
  const full: tf.Tensor[] = parts.map((p) => p ?? zeros(partShape));
  return tf.reshape<tf.Rank>(tf.stack(full, axis + 1), merged) as tf.Tensor4D;
}

/**
 * Gradient wrt the input: dy NHWC [N,Ho,Wo,Cout], wg [kh,kw,Cin/g,Cout] → dx NHWC [N,H,W,Cin].
 * Only geom's H, W, Cin, kernel, stride, dilation, padding and groups are used; dy may be taller than
 * geom.Ho (conv_transpose2d with output_padding).
 */
export function convBackwardInputNHWC(dy: tf.Tensor4D, wg: tf.Tensor4D, geom: ConvGeometry): tf.Tensor4D {
  const g = geom;
  return tf.tidy(() => {
    const [N, Ho, Wo] = dy.shape;
    const ph = phaseDims(g.H, Ho, g.kh, g.sh, g.dh, g.pt);
    const pw = phaseDims(g.W, Wo, g.kw, g.sw, g.dw, g.pl);
    // one row of phase results per h-phase; null = the phase gets no tap (all zeros)
    const rows: (tf.Tensor4D | null)[][] = [];
    for (const a of ph.phases) {
      const row: (tf.Tensor4D | null)[] = [];
      for (const b of pw.phases) {
        if (a.taps === 0 || b.taps === 0) {
          row.push(null);
          continue;
        }
        let taps = wg;
        if (a.taps !== g.kh || b.taps !== g.kw) {
          taps = tf.stridedSlice(
            wg,
            [a.a0, b.a0, 0, 0],
            [a.a0 + (a.taps - 1) * a.aStep + 1, b.a0 + (b.taps - 1) * b.aStep + 1, wg.shape[2], wg.shape[3]],
            [a.aStep, b.aStep, 1, 1],
          ) as tf.Tensor4D;
        }
        const flipped = a.taps > 1 || b.taps > 1 ? tf.reverse(taps, [0, 1]) : taps;
        const filt = transposeGroupedFilter(flipped, g.groups);
        row.push(convWithSignedPads(dy, filt, g.groups, [[a.padLo, a.padHi], [b.padLo, b.padHi]], [a.dil, b.dil], ph.Q, pw.Q));
      }
      rows.push(row);
    }
    // interleave along W inside each h-phase row, then along H
    const zeros = (shape: number[]) => tf.zeros<tf.Rank.R4>(shape as [number, number, number, number]);
    const wRows = rows.map((row) => interleaveAxis(row, 2, [N, ph.Q, pw.Q, g.Cin], zeros));
    let dx = interleaveAxis(wRows, 1, [N, ph.Q, pw.Q * g.sw, g.Cin], zeros) ?? zeros([N, ph.Q * g.sh, pw.Q * g.sw, g.Cin]);
    if (dx.shape[1] !== g.H || dx.shape[2] !== g.W) dx = tf.slice(dx, [0, 0, 0, 0], [-1, g.H, g.W, -1]);
    return dx;
  });
}

/**
 * How the grad-weight of an ungrouped conv is computed (measured in bench/conv-block.bench.ts):
 *  * 'gemm-chunked' (default): GEMMs over chunks of the reduction (pixels), see weightGradChunked. Needs the
 *    copy kernel below, registered for the 'wasm' and 'cpu' backends; other backends use
 *    'conv-batch-as-channels'.
 *  * 'conv-batch-as-channels': one conv, x as [Cin,H,W,N] input and dy as a [Ho,Wo,N,Cout] filter.
 *  * 'gemm-1x1-taps': one GEMM over all pixels (an im2col of every tap); slow, kept as a reference.
 */
export type WeightGradStrategy = 'gemm-chunked' | 'conv-batch-as-channels' | 'gemm-1x1-taps';
export let WEIGHT_GRAD_STRATEGY: WeightGradStrategy = 'gemm-chunked';
export function setWeightGradStrategy(s: WeightGradStrategy): void {
  WEIGHT_GRAD_STRATEGY = s;
}

/** Padding needed on the far side so that exactly the taps of the forward conv are reached. */
function farPad(In: number, k: number, s: number, d: number, pLo: number, Out: number): number {
  return (k - 1) * d + s * (Out - 1) + 1 - In - pLo;
}

/** Optional precomputed layouts for convBackwardWeightNHWC (share them when one input feeds several convs). */
export interface WeightGradPrepared {
  /** xToCHWN(x) */
  xCHWN?: tf.Tensor4D;
}

/**
 * Size of one dy chunk (K pixels × Cout × 4 bytes) in weightGradChunked. XNNPACK's GEMM streams all of its
 * packed weights (here the dy chunk) once per tile of output rows, so they must stay cache-resident; with
 * K = all N·Ho·Wo pixels they are re-read from memory for every row tile, which is why one big GEMM or the
 * batch-as-channels conv ran at ~half the speed of the forward conv. 256 KiB – 1 MiB measured alike.
 */
export let WEIGHT_GRAD_CHUNK_BYTES = 512 * 1024;
export function setWeightGradChunkBytes(b: number): void {
  WEIGHT_GRAD_CHUNK_BYTES = b;
}

/**
 * 'gemm-chunked': dW[(a,b,ci), co] = Σ_p A[(a,b,ci), p] · dy[p, co] over pixels p = (i, j, n), split into
 * chunks of ~WEIGHT_GRAD_CHUNK_BYTES/(4·Cout) pixels (whole dy rows, or pieces of one row). Per chunk, the
 * im2col block A [kh·kw·Cin, P_chunk] is cut out of x in [Cin, H, W, N] layout (padded; for a W-stride
 * the columns are first split into stride phases so that every (tap, channel, dy row) is one contiguous
 * run of (columns × N) values) with one memmove per run, dy's chunk is a contiguous block of dy in
 * [Ho, Wo, N, Cout] layout, and one matMul (XNNPACK fully-connected; cheaper to set up than a 1×1 Conv2D,
 * whose wasm kernel transposes the filter first) gives the chunk's partial [kh·kw·Cin, Cout]. Partials
 * are summed as they come. Rows of A are ordered (a, b, ci), so the sum is already [kh,kw,Cin,Cout].
 * The copies (≈ kh·kw × x) and the weight packing (≈ dy) are the overhead over the forward conv.
 */
function weightGradChunked(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, prepared?: WeightGradPrepared): tf.Tensor4D {
  const [N, H, W, Cin] = x.shape;
  const [, Ho, Wo, Cout] = dy.shape;
  const pbf = farPad(H, g.kh, g.sh, g.dh, g.pt, Ho);
  const prf = farPad(W, g.kw, g.sw, g.dw, g.pl, Wo);
  const xT = prepared?.xCHWN ?? xToCHWN(x); // [Cin,H,W,N]
  // Rows / columns the conv never reaches (negative far padding) stay: they are never read.
  const Hp = g.pt + H + Math.max(0, pbf);
  const sw = g.sw;
  const Wq = Math.ceil((g.pl + W + Math.max(0, prf)) / sw); // columns per W-stride phase
  let xp: tf.Tensor = xT;
  if (g.pt || g.pl || pbf > 0 || Wq * sw !== W + g.pl) {
    xp = tf.pad(xT, [[0, 0], [g.pt, Math.max(0, pbf)], [g.pl, Wq * sw - g.pl - W], [0, 0]]);
  }
  // [Cin, Hp, sw, Wq, N]: column c = q·sw + φ lives at (φ, q)
  if (sw > 1) xp = tf.transpose(tf.reshape(xp, [Cin * Hp, Wq, sw, N]), [0, 2, 1, 3]);
  const rowStride = sw * Wq * N;
  const chStride = Hp * rowStride;
  const tapOff: number[] = []; // (a, b) → offset of output column 0, row 0
  for (let a = 0; a < g.kh; a++) {
    for (let b = 0; b < g.kw; b++) {
      const c = b * g.dw;
      tapOff.push(a * g.dh * rowStride + ((c % sw) * Wq + Math.floor(c / sw)) * N);
    }
  }
  const M = g.kh * g.kw * Cin;
  const dyP = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [Ho * Wo * N, Cout]); // pixels (i, j, n)
  const rowLen = Wo * N;
  // pixels per chunk: the dy chunk within WEIGHT_GRAD_CHUNK_BYTES, the im2col chunk within 16 MiB
  const target = Math.max(N, Math.min(Math.floor(WEIGHT_GRAD_CHUNK_BYTES / (4 * Cout)), Math.floor((4 << 20) / M)));
  // chunks: r whole rows, or (when one row is too long) column blocks of one row
  const rowsPer = Math.max(1, Math.min(Ho, Math.floor(target / rowLen)));
  const colBlocks = rowsPer === 1 ? Math.max(1, Math.round(rowLen / target)) : 1;
  const colsPer = Math.ceil(Wo / colBlocks);
  // partial sums [M, Cout]; summed 8 at a time so that at most 8 are alive
  let parts: tf.Tensor[] = [];
  for (let i0 = 0; i0 < Ho; i0 += rowsPer) {
    const r = Math.min(rowsPer, Ho - i0);
    for (let j0 = 0; j0 < Wo; j0 += colsPer) {
      const jn = Math.min(colsPer, Wo - j0);
      const runLen = jn * N;
      const starts = new Int32Array(M * r);
      let k = 0;
      for (let t = 0; t < tapOff.length; t++) {
        for (let ci = 0; ci < Cin; ci++) {
          const base = ci * chStride + tapOff[t] + j0 * N;
          for (let rr = 0; rr < r; rr++) starts[k++] = base + (i0 + rr) * g.sh * rowStride;
        }
      }
      const A = copyRuns(xp, [M, r * runLen], starts, runLen) as tf.Tensor2D;
      const K = r * runLen;
      const p0 = (i0 * Wo + j0) * N;
      const F = copyRuns(dyP, [K, Cout], Int32Array.of(p0 * Cout), K * Cout) as tf.Tensor2D;
      parts.push(tf.matMul(A, F)); // XNNPACK fully-connected: F [K, Cout] is packed as its weights
      tf.dispose([A, F]);
      if (parts.length === 8) {
        const s = tf.addN(parts);
        tf.dispose(parts);
        parts = [s];
      }
    }
  }
  const sum = parts.length === 1 ? parts[0] : tf.addN(parts);
  return tf.reshape(sum, [g.kh, g.kw, Cin, Cout]) as tf.Tensor4D;
}

/**
 * libtensorflow's own Conv2DBackpropFilter (tfjs-node's 'tensorflow' backend, oneDNN underneath): x padded
 * (or cropped where the conv never reaches) so that the kernel's 'valid' convolution has exactly dy's shape;
 * tfjs-node's kernel takes neither explicit padding nor dilation.
 */
function weightGradNative(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [, H, W, Cin] = x.shape;
  const [, Ho, Wo, Cout] = dy.shape;
  const pbf = farPad(H, g.kh, g.sh, 1, g.pt, Ho);
  const prf = farPad(W, g.kw, g.sw, 1, g.pl, Wo);
  let xs: tf.Tensor4D = x;
  if (pbf < 0 || prf < 0) xs = tf.slice(xs, [0, 0, 0, 0], [-1, H + Math.min(0, pbf), W + Math.min(0, prf), -1]);
  if (g.pt || g.pl || pbf > 0 || prf > 0) xs = tf.pad(xs, [[0, 0], [g.pt, Math.max(0, pbf)], [g.pl, Math.max(0, prf)], [0, 0]]);
  const attrs = { strides: [g.sh, g.sw], pad: 'valid', dataFormat: 'NHWC', filterShape: [g.kh, g.kw, Cin, Cout] };
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xs, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** Ungrouped grad-weight: x NHWC [N,H,W,Cin], dy NHWC [N,Ho,Wo,Cout] → [kh,kw,Cin,Cout]. */
function weightGradDense(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, prepared?: WeightGradPrepared): tf.Tensor4D {
  if (tf.getBackend() === 'tensorflow' && g.dh === 1 && g.dw === 1) return weightGradNative(x, dy, g);
  if (WEIGHT_GRAD_STRATEGY === 'gemm-chunked' && ensureCopyRunsKernel()) return weightGradChunked(x, dy, g, prepared);
  const [N, H, W, Cin] = x.shape;
  const [, Ho, Wo, Cout] = dy.shape;
  const pbf = farPad(H, g.kh, g.sh, g.dh, g.pt, Ho);
  const prf = farPad(W, g.kw, g.sw, g.dw, g.pl, Wo);
  if (WEIGHT_GRAD_STRATEGY === 'gemm-1x1-taps') {
    // One 1×1 conv = GEMM [kh·kw·Cin × M]·[M × Cout] over all taps, M = N·Ho·Wo pixels.
    let xT = tf.transpose(x, [3, 0, 1, 2]); // [Cin,N,H,W]
    const crop = [Math.max(0, -pbf), Math.max(0, -prf)];
    if (crop[0] || crop[1]) xT = tf.slice(xT, [0, 0, 0, 0], [-1, -1, H - crop[0], W - crop[1]]);
    const xp = tf.pad(xT, [[0, 0], [0, 0], [g.pt, Math.max(0, pbf)], [g.pl, Math.max(0, prf)]]);
    const cols: tf.Tensor[] = [];
    for (let a = 0; a < g.kh; a++) {
      for (let b = 0; b < g.kw; b++) {
        const s = tf.stridedSlice(
          xp,
          [0, 0, a * g.dh, b * g.dw],
          [Cin, N, a * g.dh + g.sh * (Ho - 1) + 1, b * g.dw + g.sw * (Wo - 1) + 1],
          [1, 1, g.sh, g.sw],
        );
        cols.push(tf.reshape(s, [Cin, N * Ho * Wo]));
      }
    }
    const A = tf.reshape(tf.concat(cols, 0), [1, g.kh * g.kw * Cin, 1, N * Ho * Wo]) as tf.Tensor4D;
    const F = tf.reshape(dy, [1, 1, N * Ho * Wo, Cout]) as tf.Tensor4D;
    return tf.reshape(kConv2d(A, F, [1, 1], [[0, 0], [0, 0]], [1, 1]), [g.kh, g.kw, Cin, Cout]) as tf.Tensor4D;
  }
  // Batch as channels: input xᵀ [Cin,H,W,N], filter dyᵀ [Ho,Wo,N,Cout], stride d, dilation s.
  const xT = prepared?.xCHWN ?? xToCHWN(x);
  const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // cheap: C stays innermost
  // Input rows the forward conv never reached (pbf < 0) are not cropped (a large strided copy); the conv
  // then yields extra output taps, sliced off the small result. With a single tap the stride is free, so
  // it is chosen so that only one output row exists.
  const strideH = g.kh === 1 ? Math.max(1, H + g.pt) : g.dh;
  const strideW = g.kw === 1 ? Math.max(1, W + g.pl) : g.dw;
  let out = kConv2d(xT, dyT, [strideH, strideW], [[g.pt, Math.max(0, pbf)], [g.pl, Math.max(0, prf)]], [g.sh, g.sw]);
  if (out.shape[1] !== g.kh || out.shape[2] !== g.kw) out = tf.slice(out, [0, 0, 0, 0], [-1, g.kh, g.kw, -1]);
  return tf.transpose(out, [1, 2, 0, 3]); // [Cin,kh,kw,Cout] → [kh,kw,Cin,Cout]
}

/**
 * NHWC [N,H,W,C] → [C,H,W,N]. tfjs-backend-wasm's Transpose is fast when the innermost dimension stays
 * (a block copy) or for small 2-D tiles, and ~6× slower for this full reversal done in one go, so it is
 * done in three cheap steps: [H,W,N,C] → per-pixel [N,C] tiles transposed → [C,H·W,N].
 */
export function xToCHWN(x: tf.Tensor4D): tf.Tensor4D {
  const [N, H, W, C] = x.shape;
  if (N === 1) return tf.reshape(tf.transpose(tf.reshape(x, [H * W, C])), [C, H, W, 1]);
  const t1 = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [H * W, N, C]);
  const t2 = tf.transpose(t1, [0, 2, 1]); // [HW, C, N]
  return tf.reshape(tf.transpose(t2, [1, 0, 2]), [C, H, W, N]);
}

/**
 * Gradient wrt the weight: x NHWC [N,H,W,Cin], dy NHWC [N,Ho,Wo,Cout] → grouped HWIO [kh,kw,Cin/g,Cout].
 */
export function convBackwardWeightNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, geom: ConvGeometry, prepared?: WeightGradPrepared): tf.Tensor4D {
  const g = geom;
  return tf.tidy(() => {
    const G = g.groups;
    if (G === 1) return weightGradDense(x, dy, g, prepared);
    const k = g.Cin / G;
    const m = g.Cout / G;
    const [N, , , Cin] = x.shape;
    const [, Ho, Wo] = dy.shape;
    if (k === 1) {
      // depthwise (multiplier m): per tap, Σ over pixels of x_tap[c] · dy[c·m + mo]
      const pbf = farPad(g.H, g.kh, g.sh, g.dh, g.pt, Ho);
      const prf = farPad(g.W, g.kw, g.sw, g.dw, g.pl, Wo);
      const xp = tf.pad(x, [[0, 0], [g.pt, Math.max(0, pbf)], [g.pl, Math.max(0, prf)], [0, 0]]);
      const dy5 = tf.reshape(dy, [N, Ho, Wo, Cin, m]);
      const taps: tf.Tensor[] = [];
      for (let a = 0; a < g.kh; a++) {
        for (let b = 0; b < g.kw; b++) {
          const xs = tf.stridedSlice(
            xp,
            [0, a * g.dh, b * g.dw, 0],
            [N, a * g.dh + g.sh * (Ho - 1) + 1, b * g.dw + g.sw * (Wo - 1) + 1, Cin],
            [1, g.sh, g.sw, 1],
          );
          const prod = m === 1 ? tf.mul(xs, dy) : tf.mul(tf.reshape(xs, [N, Ho, Wo, Cin, 1]), dy5);
          taps.push(channelSumLast(tf.reshape(prod, [N, Ho, Wo, g.Cout])));
        }
      }
      return tf.reshape(tf.stack(taps), [g.kh, g.kw, 1, g.Cout]) as tf.Tensor4D;
    }
    const xs = tf.split(x, G, 3) as tf.Tensor4D[];
    const dys = tf.split(dy, G, 3) as tf.Tensor4D[];
    const sub: ConvGeometry = { ...g, Cin: k, Cout: m, groups: 1 };
    return tf.concat(xs.map((xi, j) => weightGradDense(xi, dys[j], sub)), 3);
  });
}

/** Gradient wrt the bias from an NHWC dy: Σ over N, H, W. */
export function convBackwardBiasNHWC(dy: tf.Tensor4D): tf.Tensor1D {
  return channelSumLast(dy);
}

// ------------------------------------------------------------------ layout helpers

export const nchwToNhwc = <T extends tf.Tensor>(x: T): T => tf.transpose(x, [0, 2, 3, 1]) as T;
export const nhwcToNchw = <T extends tf.Tensor>(x: T): T => tf.transpose(x, [0, 3, 1, 2]) as T;
/** PyTorch conv weight [Cout, Cin/g, kh, kw] → grouped HWIO [kh, kw, Cin/g, Cout]. */
export const torchWeightToHWIO = (w: tf.Tensor4D): tf.Tensor4D => tf.transpose(w, [2, 3, 1, 0]);
/** grouped HWIO [kh, kw, Cin/g, Cout] → PyTorch [Cout, Cin/g, kh, kw]. */
export const hwioToTorchWeight = (w: tf.Tensor4D): tf.Tensor4D => tf.transpose(w, [3, 2, 0, 1]);

function checkFloat(t: tf.Tensor, name: string) {
  if (t.dtype !== 'float32') throw new Error(`${name} must be float32, got ${t.dtype}`);
}

// ------------------------------------------------------------------ PyTorch NCHW API: conv2d

/** torch.nn.functional.conv2d(x, w, bias, stride, padding, dilation, groups) on NCHW tensors. */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, bias?: tf.Tensor1D | null, opts: Conv2dOptions = {}): tf.Tensor4D {
  checkFloat(x, 'input');
  checkFloat(w, 'weight');
  const geom = convGeometry(x.shape, w.shape, opts);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== geom.Cout)) {
    throw new Error(`bias must have shape [${geom.Cout}], got ${shapeStr(bias.shape)}`);
  }
  return tf.tidy(() => nhwcToNchw(convForwardNHWC(nchwToNhwc(x), torchWeightToHWIO(w), geom, bias)));
}

/** Gradient of conv2d wrt its input: dy [N,Cout,Ho,Wo], w [Cout,Cin/g,kh,kw] → dx of shape xShape. */
export function conv2dBackwardInput(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: readonly number[], opts: Conv2dOptions = {}): tf.Tensor4D {
  const geom = convGeometry(xShape, w.shape, opts);
  return tf.tidy(() => nhwcToNchw(convBackwardInputNHWC(nchwToNhwc(dy), torchWeightToHWIO(w), geom)));
}

/** Gradient of conv2d wrt its weight: x [N,Cin,H,W], dy [N,Cout,Ho,Wo] → dw of shape wShape. */
export function conv2dBackwardWeight(x: tf.Tensor4D, dy: tf.Tensor4D, wShape: readonly number[], opts: Conv2dOptions = {}): tf.Tensor4D {
  const geom = convGeometry(x.shape, wShape, opts);
  return tf.tidy(() => hwioToTorchWeight(convBackwardWeightNHWC(nchwToNhwc(x), nchwToNhwc(dy), geom)));
}

/** Gradient of conv2d wrt its bias: Σ dy over N, H, W. */
export function conv2dBackwardBias(dy: tf.Tensor4D): tf.Tensor1D {
  const [N, C, H, W] = dy.shape;
  // inner (contiguous) axis first: tf.sum over [0, 2, 3] transposes the whole tensor
  return tf.tidy(() => tf.sum(tf.sum(tf.reshape(dy, [N, C, H * W]), 2), 0));
}

export interface ConvGrads {
  dx?: tf.Tensor4D;
  dw?: tf.Tensor4D;
  db?: tf.Tensor1D;
}

/** All requested conv2d gradients at once (the NHWC copies of x and dy are shared). */
export function conv2dBackward(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  dy: tf.Tensor4D,
  opts: Conv2dOptions = {},
  need: { input?: boolean; weight?: boolean; bias?: boolean } = { input: true, weight: true, bias: true },
): ConvGrads {
  const geom = convGeometry(x.shape, w.shape, opts);
  const out = tf.tidy(() => {
    const dyh = nchwToNhwc(dy);
    const r: tf.NamedTensorMap = {};
    if (need.input) r.dx = nhwcToNchw(convBackwardInputNHWC(dyh, torchWeightToHWIO(w), geom));
    if (need.weight) r.dw = hwioToTorchWeight(convBackwardWeightNHWC(nchwToNhwc(x), dyh, geom));
    if (need.bias) r.db = conv2dBackwardBias(dy);
    return r;
  });
  return out as ConvGrads;
}

// ------------------------------------------------------------------ conv1d (as conv2d with H = 1)

export interface Conv1dOptions {
  stride?: number;
  /** int, 'valid', 'same', or explicit (left, right) */
  padding?: number | 'valid' | 'same' | IntPair;
  dilation?: number;
  groups?: number;
}

function conv1dTo2d(o: Conv1dOptions): Conv2dOptions {
  const p = o.padding ?? 0;
  const padding: Padding2d = p === 'same' || p === 'valid' ? p : Array.isArray(p) ? [[0, 0], p] : [0, p];
  return { stride: [1, o.stride ?? 1], dilation: [1, o.dilation ?? 1], groups: o.groups, padding };
}

const x1dTo2d = (x: tf.Tensor3D) => tf.expandDims(x, 2) as tf.Tensor4D; // [N,C,L] → [N,C,1,L]
const x2dTo1d = (x: tf.Tensor4D) => tf.squeeze(x, [2]) as tf.Tensor3D;

function check1d(x: readonly number[], w: readonly number[]) {
  if (x.length !== 3) throw new Error(`Expected 3D (batched) input to conv1d, but got input of size: ${shapeStr(x)}`);
  if (w.length !== 3) throw new Error(`conv1d weight must be 3D [out_channels, in_channels/groups, kW], got ${shapeStr(w)}`);
}

/** torch.nn.functional.conv1d on [N, C, L] tensors, weight [Cout, Cin/g, k]. */
export function conv1d(x: tf.Tensor3D, w: tf.Tensor3D, bias?: tf.Tensor1D | null, opts: Conv1dOptions = {}): tf.Tensor3D {
  check1d(x.shape, w.shape);
  return tf.tidy(() => x2dTo1d(conv2d(x1dTo2d(x), x1dTo2d(w), bias, conv1dTo2d(opts))));
}

export function conv1dBackwardInput(dy: tf.Tensor3D, w: tf.Tensor3D, xShape: readonly number[], opts: Conv1dOptions = {}): tf.Tensor3D {
  check1d(xShape, w.shape);
  const xs4 = [xShape[0], xShape[1], 1, xShape[2]];
  return tf.tidy(() => x2dTo1d(conv2dBackwardInput(x1dTo2d(dy), x1dTo2d(w), xs4, conv1dTo2d(opts))));
}

export function conv1dBackwardWeight(x: tf.Tensor3D, dy: tf.Tensor3D, wShape: readonly number[], opts: Conv1dOptions = {}): tf.Tensor3D {
  check1d(x.shape, wShape);
  const ws4 = [wShape[0], wShape[1], 1, wShape[2]];
  return tf.tidy(() => x2dTo1d(conv2dBackwardWeight(x1dTo2d(x), x1dTo2d(dy), ws4, conv1dTo2d(opts))));
}

export function conv1dBackwardBias(dy: tf.Tensor3D): tf.Tensor1D {
  return tf.sum(dy, [0, 2]);
}

// ------------------------------------------------------------------ conv_transpose2d

export interface ConvTranspose2dOptions {
  stride?: number | IntPair;
  padding?: number | IntPair;
  outputPadding?: number | IntPair;
  dilation?: number | IntPair;
  groups?: number;
}

/** The conv2d whose input-gradient conv_transpose2d is: its input shape and options. */
function transposeAsConv(xShape: readonly number[], wShape: readonly number[], o: ConvTranspose2dOptions) {
  if (xShape.length !== 4) throw new Error(`Expected 4D (batched) input to conv_transpose2d, but got input of size: ${shapeStr(xShape)}`);
  if (wShape.length !== 4) throw new Error(`conv_transpose2d weight must be 4D [in_channels, out_channels/groups, kH, kW], got ${shapeStr(wShape)}`);
  const [N, Cin, H, W] = xShape;
  const [wc, mPerGroup, kh, kw] = wShape;
  const groups = o.groups ?? 1;
  if (wc !== Cin) {
    throw new Error(`Given transposed=1, weight of size ${shapeStr(wShape)}, expected input${shapeStr(xShape)} to have ${wc} channels, but got ${Cin} channels instead`);
  }
  const [sh, sw] = pair(o.stride, 1, 'stride');
  const [ph, pw] = pair(o.padding, 0, 'padding');
  const [oph, opw] = pair(o.outputPadding, 0, 'output_padding');
  const [dh, dw] = pair(o.dilation, 1, 'dilation');
  if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
    throw new Error('output padding must be smaller than either stride or dilation');
  }
  const Hout = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const Wout = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (Hout <= 0 || Wout <= 0) throw new Error(`conv_transpose2d output size would be ${Hout}x${Wout}, which is too small`);
  const convOpts: Conv2dOptions = { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], groups };
  const convXShape = [N, mPerGroup * groups, Hout, Wout];
  return { convOpts, convXShape, geom: convGeometry(convXShape, wShape, convOpts) };
}

/** torch.nn.functional.conv_transpose2d: x [N,Cin,H,W], w [Cin, Cout/g, kh, kw] → [N,Cout,Hout,Wout]. */
export function convTranspose2d(x: tf.Tensor4D, w: tf.Tensor4D, bias?: tf.Tensor1D | null, opts: ConvTranspose2dOptions = {}): tf.Tensor4D {
  const { geom } = transposeAsConv(x.shape, w.shape, opts);
  return tf.tidy(() => {
    let y = convBackwardInputNHWC(nchwToNhwc(x), torchWeightToHWIO(w), geom);
    if (bias) y = tf.add(y, bias);
    return nhwcToNchw(y);
  });
}

/** Gradient of conv_transpose2d wrt its input = the forward conv2d of dy with the same weight. */
export function convTranspose2dBackwardInput(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: readonly number[], opts: ConvTranspose2dOptions = {}): tf.Tensor4D {
  const { geom } = transposeAsConv(xShape, w.shape, opts);
  return tf.tidy(() => {
    let dx = convForwardNHWC(nchwToNhwc(dy), torchWeightToHWIO(w), geom);
    if (dx.shape[1] !== xShape[2] || dx.shape[2] !== xShape[3]) dx = tf.slice(dx, [0, 0, 0, 0], [-1, xShape[2], xShape[3], -1]);
    return nhwcToNchw(dx);
  });
}

/** Gradient of conv_transpose2d wrt its weight [Cin, Cout/g, kh, kw]. */
export function convTranspose2dBackwardWeight(x: tf.Tensor4D, dy: tf.Tensor4D, wShape: readonly number[], opts: ConvTranspose2dOptions = {}): tf.Tensor4D {
  const { geom } = transposeAsConv(x.shape, wShape, opts);
  // In the equivalent conv, dy is the input and x the output gradient.
  return tf.tidy(() => hwioToTorchWeight(convBackwardWeightNHWC(nchwToNhwc(dy), nchwToNhwc(x), { ...geom, Ho: x.shape[2], Wo: x.shape[3] })));
}

export const convTranspose2dBackwardBias = conv2dBackwardBias;
