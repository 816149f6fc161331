/**
 * Sort along an axis, ascending, ties by index (torch.sort(x, dim)[0] with
 * stable=True). The sorted values are x gathered through the permutation π
 * (y_i = x_π(i)), so the gradient is scattered back through it:
 *   dL/dx_j = dL/dy_rank(j),   rank = π⁻¹
 * done as a gather with the ranks (kernels/src/sort.ts finds them by binary
 * search), not as a scatter.
 */
import { argsortKernel, sortRanksKernel, takeAlongRowsKernel } from '@maskgrad/kernels';
import { record, Tensor } from '../tensor.js';
import { transpose } from './movement.js';
import * as U from './untracked.js';

export function sort(x: Tensor, axis = -1): Tensor {
  const a = U.normAxis(axis, x.rank);
  if (a !== x.rank - 1) return transpose(sort(transpose(x, a, -1)), a, -1);
  const backend = x.backend;
  const c = U.contiguous(x);
  const n = c.shape[c.rank - 1];
  const rows = n === 0 ? 0 : c.size / n;
  // the permutation is kept (as a tensor, so that it is freed with the graph) for the gradient
  const perm = new Tensor(argsortKernel(backend, c.storage, rows, n), c.shape);
  const y = new Tensor(takeAlongRowsKernel(backend, c.storage, perm.storage, rows, n, n), c.shape);
  return record(y, [x], 'sort', (g) => {
    const rank = sortRanksKernel(backend, c.storage, perm.storage, rows, n);
    const gc = U.contiguous(g);
    const dx = new Tensor(takeAlongRowsKernel(backend, gc.storage, rank, rows, n, n), c.shape);
    backend.release(rank);
    if (gc !== g) gc.dispose();
    return [dx];
  });
}
