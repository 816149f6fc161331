/**
 * Select entries along one axis by index (torch.index_select); the
 * gradient scatters back, adding where an index repeats.
 */
import { gatherKernel, scatterAddKernel } from '@maskgrad/kernels';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { contiguous, normAxis } from './movement.js';

export function gather(x: Tensor, axis: number, index: Float32Array | readonly number[]): Tensor {
  const a = normAxis(axis, x.rank);
  const idx = index instanceof Float32Array ? index : Float32Array.from(index);
  const n = x.shape[a];
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`gather(): index ${i} is out of range for axis ${axis} of size ${n}`);
  }
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const xc = contiguous(x);
  const shape = [...x.shape];
  shape[a] = idx.length;
  const data = gatherKernel(x.backend, xc.buffer, idx, outer, n, inner);
  return result(data, shape, [xc], 'gather', (g) => [
    result(scatterAddKernel(g.backend, contiguous(g).buffer, idx, outer, n, inner), xc.shape, [], 'scatterAdd', () => []),
  ]);
}
