/**
 * Select entries along one axis by index (torch.index_select); the
 * gradient scatters back, adding where an index repeats.
 */
import { scatterAddKernel } from '@maskgrad/kernels';
import { record, Tensor } from '../tensor.js';
import * as U from './untracked.js';

export function gather(x: Tensor, axis: number, index: Float32Array | readonly number[]): Tensor {
  const a = U.normAxis(axis, x.rank);
  const idx = index instanceof Float32Array ? index : Float32Array.from(index);
  const n = x.shape[a];
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`gather(): index ${i} is out of range for axis ${axis} of size ${n}`);
  }
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  return record(U.gather(x, a, idx), [x], 'gather', (g) => [
    new Tensor(scatterAddKernel(g.backend, U.contiguous(g).storage, idx, outer, n, inner), x.shape),
  ]);
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const gatherMethods = {
  gather(this: Tensor, axis: number, index: Float32Array | readonly number[]): Tensor { return gather(this, axis, index); },
};
