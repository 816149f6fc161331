/**
 * Movement ops: reshape, permute, transpose, expand, slice. All are views
 * (new shape/strides over the same data, no kernel) except a reshape of a
 * non-contiguous tensor, which copies first.
 */
import { contiguousStrides, padKernel, sizeOf, UNARY } from '@maskgrad/kernels';
import { record, Tensor, viewResult } from '../tensor.js';
import * as U from './untracked.js';

export const normAxis = U.normAxis;

/** A contiguous copy (or the tensor itself if already contiguous). */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous) return x;
  return record(U.map(UNARY.copy, x), [x], 'contiguous', (g) => [g]);
}

/** Same data, new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  if (sizeOf(resolved) !== x.size || resolved.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`cannot reshape [${x.shape.join(', ')}] (${x.size} elements) to [${shape.join(', ')}]`);
  }
  const src = contiguous(x);
  return viewResult(src, resolved, contiguousStrides(resolved), src.offset, 'reshape', (g) => [U.reshape(g, src.shape)]);
}

/** Reorder axes: result axis i is input axis perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || new Set(perm.map((p) => normAxis(p, x.rank))).size !== x.rank) {
    throw new Error(`permute([${perm.join(', ')}]) is not a permutation of the ${x.rank} axes of [${x.shape.join(', ')}]`);
  }
  const p = perm.map((a) => normAxis(a, x.rank));
  const inverse = new Array<number>(p.length);
  p.forEach((a, i) => (inverse[a] = i));
  return viewResult(x, p.map((a) => x.shape[a]), p.map((a) => x.strides[a]), x.offset, 'permute',
    (g) => [U.view(g, inverse.map((a) => g.shape[a]), inverse.map((a) => g.strides[a]))]);
}

export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const perm = x.shape.map((_, i) => i);
  const i = normAxis(a, x.rank);
  const j = normAxis(b, x.rank);
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

/** Broadcast to a larger shape without copying (stride 0 on new axes). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const v = U.expand(x, shape); // checks the shapes
  const out = viewResult(x, shape, v.strides, x.offset, 'expand', (g) => [U.sumTo(g, x.shape)]);
  v.dispose();
  return out;
}

/** Elements start..end-1 along one axis (a view); the gradient is zero-padded back. */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const a = normAxis(axis, x.rank);
  const n = x.shape[a];
  const s = start < 0 ? start + n : start;
  const e = end === undefined ? n : end < 0 ? end + n : end;
  if (!(s >= 0 && e <= n && s <= e)) throw new Error(`slice ${start}:${end ?? ''} is out of range for axis ${axis} of size ${n}`);
  const shape = [...x.shape];
  shape[a] = e - s;
  return viewResult(x, shape, x.strides, x.offset + s * x.strides[a], 'slice', (g) => {
    const gc = U.contiguous(g);
    const pads = x.shape.map((_, i) => (i === a ? [s, n - e] as const : [0, 0] as const));
    return [new Tensor(padKernel(g.backend, gc.storage, gc.shape, pads, 'constant', 0), x.shape)];
  });
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  const strides = [...x.strides];
  strides.splice(a, 0, 0);
  return viewResult(x, shape, strides, x.offset, 'unsqueeze', (g) => [U.reshape(g, x.shape)]);
}

export function squeeze(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.rank);
  if (x.shape[a] !== 1) throw new Error(`squeeze(${axis}): axis has size ${x.shape[a]}, not 1`);
  const shape = x.shape.filter((_, i) => i !== a);
  const strides = x.strides.filter((_, i) => i !== a);
  return viewResult(x, shape, strides, x.offset, 'squeeze', (g) => [U.reshape(g, x.shape)]);
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const movementMethods = {
  reshape(this: Tensor, shape: readonly number[]): Tensor { return reshape(this, shape); },
  view(this: Tensor, shape: readonly number[]): Tensor { return reshape(this, shape); },
  permute(this: Tensor, perm: readonly number[]): Tensor { return permute(this, perm); },
  transpose(this: Tensor, a?: number, b?: number): Tensor { return transpose(this, a, b); },
  expand(this: Tensor, shape: readonly number[]): Tensor { return expand(this, shape); },
  slice(this: Tensor, axis: number, start: number, end?: number): Tensor { return slice(this, axis, start, end); },
  squeeze(this: Tensor, axis: number): Tensor { return squeeze(this, axis); },
  unsqueeze(this: Tensor, axis: number): Tensor { return unsqueeze(this, axis); },
  contiguous(this: Tensor): Tensor { return contiguous(this); },
};
