/**
 * Sort along an axis, ascending, ties by index (torch.sort(x, dim)[0] with
 * stable=True). The sorted values are x gathered through the permutation π
 * (y_i = x_π(i)), so the gradient is scattered back through it:
 *   dL/dx_j = dL/dy_rank(j),   rank = π⁻¹
 * done as a gather with the ranks (kernels/src/sort.ts finds them by binary
 * search), not as a scatter.
 */
import { argsortKernel, sortRanksKernel, takeAlongRowsKernel } from '@maskgrad/kernels';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { contiguous, normAxis, transpose } from './movement.js';

export function sort(x: Tensor, axis = -1): Tensor {
  const a = normAxis(axis, x.rank);
  if (a !== x.rank - 1) return transpose(sort(transpose(x, a, -1)), a, -1);
  const c = contiguous(x);
  const n = c.shape[c.rank - 1];
  const rows = n === 0 ? 0 : c.size / n;
  const perm = argsortKernel(c.backend, c.buffer, rows, n);
  const sorted = takeAlongRowsKernel(c.backend, c.buffer, perm, rows, n, n);
  return result(sorted, c.shape, [c], 'sort', (g) => {
    const rank = sortRanksKernel(g.backend, c.buffer, sorted, perm, rows, n);
    return [result(takeAlongRowsKernel(g.backend, contiguous(g).buffer, rank, rows, n, n), c.shape, [], 'sortGrad', () => [])];
  });
}
