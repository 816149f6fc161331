/**
 * Shapes, strides and views: how a flat Float32Array is read as an n-d array.
 *
 * A `View` is PyTorch's (storage, shape, strides, offset) quadruple. Element
 * (i0, i1, ...) lives at data[offset + i0*strides[0] + i1*strides[1] + ...].
 * Broadcasting is a stride of 0; a permutation is a reordering of strides.
 */
import type { TensorData } from './backend.js';

export interface View<D = TensorData> {
  /** A backend's data (./backend.ts), or host values for the reference kernels. */
  data: D;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides for a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function contiguousView<D>(data: D, shape: readonly number[]): View<D> {
  return { data, shape: [...shape], strides: contiguousStrides(shape), offset: 0 };
}

/** True when the view reads data[offset .. offset+size) in row-major order. */
export function isContiguous(v: View<{ length: number }>): boolean {
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) return false;
    expected *= v.shape[i];
  }
  return true;
}

/** NumPy broadcasting of two shapes; throws naming both shapes when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** The view `v` read as if it had shape `shape` (broadcast dims get stride 0). */
export function broadcastView<D>(v: View<D>, shape: readonly number[]): View<D> {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  for (let i = 0; i < v.shape.length; i++) {
    const j = rank - v.shape.length + i;
    if (v.shape[i] === shape[j]) strides[j] = v.strides[i];
    else if (v.shape[i] !== 1) {
      throw new Error(`cannot broadcast [${v.shape.join(', ')}] to [${shape.join(', ')}]`);
    }
  }
  return { data: v.data, shape: [...shape], strides, offset: v.offset };
}

/**
 * Merge adjacent axes that are contiguous with each other in the output and
 * in every input, and drop size-1 axes: fewer axes, less index arithmetic.
 */
export function coalesce(shape: readonly number[], stridesList: readonly (readonly number[])[]): {
  shape: number[];
  strides: number[][];
} {
  const keep: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) keep.push(i);
  const outShape: number[] = [];
  const outStrides: number[][] = stridesList.map(() => []);
  for (const i of keep) {
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 && stridesList.every((s, k) => outStrides[k][last] === s[i] * shape[i]);
    if (mergeable) {
      outShape[last] *= shape[i];
      stridesList.forEach((s, k) => (outStrides[k][last] = s[i]));
    } else {
      outShape.push(shape[i]);
      stridesList.forEach((s, k) => outStrides[k].push(s[i]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Read every element of a host view into a new contiguous Float32Array (plain loops). */
export function materializeReference(v: View<Float32Array>): Float32Array {
  const data = v.data;
  const n = sizeOf(v.shape);
  const out = new Float32Array(n);
  const rank = v.shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let p = v.offset;
    for (let d = 0; d < rank; d++) p += idx[d] * v.strides[d];
    out[i] = data[p];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < v.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
