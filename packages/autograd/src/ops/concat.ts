/**
 * Join tensors along an axis; the gradient is sliced back to each input.
 */
import { concatKernel } from '@maskgrad/kernels';
import { backendOf, record, Tensor } from '../tensor.js';
import * as U from './untracked.js';

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat() needs at least one tensor');
  const backend = backendOf(...xs);
  const a = U.normAxis(axis, xs[0].rank);
  xs.forEach((x, k) => {
    if (x.rank !== xs[0].rank || x.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) {
      throw new Error(`concat(): tensor ${k} has shape [${x.shape.join(', ')}], which does not match [${xs[0].shape.join(', ')}] outside axis ${a}`);
    }
  });
  const outer = xs[0].shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = xs[0].shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const sizes = xs.map((x) => x.shape[a]);
  const cs = xs.map(U.contiguous);
  const shape = [...xs[0].shape];
  shape[a] = sizes.reduce((p, d) => p + d, 0);
  const y = new Tensor(concatKernel(backend, cs.map((c) => c.storage), sizes, outer, inner), shape);
  cs.forEach((c, k) => c !== xs[k] && c.dispose());
  return record(y, xs, 'concat', (g, needs) => {
    let start = 0;
    return sizes.map((sz, k) => {
      const part = needs[k] ? U.view(g, xs[k].shape, g.strides, g.offset + start * g.strides[a]) : null;
      start += sz;
      return part;
    });
  });
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const concatMethods = {
  concat(this: Tensor, others: readonly Tensor[], axis?: number): Tensor { return concat([this, ...others], axis); },
};
