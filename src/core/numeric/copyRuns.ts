// A tfjs kernel that copies runs of a tensor's flat values into a new tensor (one memmove per run), for the
// convolution weight gradient's im2col blocks; registered for the wasm and cpu backends on first use.

import * as tf from '@tensorflow/tfjs-core';

/**
 * 'TensorTraceCopyRuns': out (row-major, shape attrs.shape) = the concatenation of the runs
 * x.flat[starts[i] .. starts[i] + runLen). tfjs-backend-wasm's Slice first copies its whole input out of
 * the heap (readSync) and GatherV2 is a per-element loop, so cutting many small pieces out of a large
 * tensor with them costs far more than the pieces; this kernel costs one memmove per run.
 */
const COPY_RUNS = 'TensorTraceCopyRuns';
interface CopyRunsAttrs {
  shape: number[];
  starts: Int32Array;
  runLen: number;
}
type HeapBackend = {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
};
type CpuBackend = {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
};
/** The kernel for each backend it exists for, by backend name. */
const kernelFuncs: Record<string, tf.KernelFunc> = {
  wasm: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as CopyRunsAttrs;
    const b = backend as unknown as HeapBackend;
    const out = b.makeOutput(a.shape, 'float32');
    // views taken after the allocation (it may grow the heap); one memmove per run within the heap
    const src = b.typedArrayFromHeap(inputs.x as tf.TensorInfo);
    const dst = b.typedArrayFromHeap(out);
    const heap = new Float32Array(dst.buffer);
    const s0 = src.byteOffset >> 2;
    const L = a.runLen;
    const st = a.starts;
    for (let i = 0, o = dst.byteOffset >> 2; i < st.length; i++, o += L) heap.copyWithin(o, s0 + st[i], s0 + st[i] + L);
    return out;
  },
  cpu: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as CopyRunsAttrs;
    const b = backend as unknown as CpuBackend;
    const src = b.data.get((inputs.x as tf.TensorInfo).dataId).values;
    const L = a.runLen;
    const st = a.starts;
    const dst = new Float32Array(st.length * L);
    for (let i = 0, o = 0; i < st.length; i++, o += L) dst.set(src.subarray(st[i], st[i] + L), o);
    return b.makeTensorInfo(a.shape, 'float32', dst);
  },
};

/** Registers the kernel for the active backend; false when that backend has none (then callers use another path). */
export function ensureCopyRunsKernel(): boolean {
  const be = tf.getBackend();
  if (tf.getKernel(COPY_RUNS, be)) return true;
  const kernelFunc = kernelFuncs[be];
  if (!kernelFunc) return false;
  tf.registerKernel({ kernelName: COPY_RUNS, backendName: be, kernelFunc });
  return true;
}

/** out = the runs x.flat[starts[i] .. starts[i] + runLen) one after another, shaped `shape` (float32). */
export function copyRuns(x: tf.Tensor, shape: number[], starts: Int32Array, runLen: number): tf.Tensor {
  if (x.dtype !== 'float32') throw new Error('copyRuns: float32 only');
  if (starts.length * runLen !== shape.reduce((p, v) => p * v, 1)) throw new Error('copyRuns: shape does not match the runs');
  return tf.engine().runKernel(COPY_RUNS, { x }, { shape, starts, runLen } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

