/**
 * Reverse the order of elements along one axis (a gather with indices
 * n−1 … 0); its own inverse, so also its own gradient.
 */
import type { Tensor } from '../tensor.js';
import { gather } from './gather.js';
import { normAxis } from './untracked.js';

export function flip(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.rank);
  const n = x.shape[a];
  return gather(x, a, Float32Array.from({ length: n }, (_, i) => n - 1 - i));
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const flipMethods = {
  flip(this: Tensor, axis: number): Tensor { return flip(this, axis); },
};
