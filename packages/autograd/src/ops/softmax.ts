/**
 * Softmax and log-softmax along an axis.
 * softmax backward:     dx = y ⊙ (g − Σ g⊙y)
 * log-softmax backward: dx = g − softmax(x) · Σ g
 */
import { softmaxKernel, UNARY } from '@maskgrad/kernels';
import { record, Tensor } from '../tensor.js';
import { transpose } from './movement.js';
import * as U from './untracked.js';

function lastAxis(x: Tensor, axis: number, fn: (x: Tensor) => Tensor): Tensor {
  const a = U.normAxis(axis, x.rank);
  if (a === x.rank - 1) return fn(x);
  return transpose(fn(transpose(x, a, -1)), a, -1);
}

/** The kernel over the last axis of a contiguous copy of x; the copy is freed once the kernel has it. */
function rows(x: Tensor, log: boolean): Tensor {
  const c = U.contiguous(x);
  const cols = c.shape[c.rank - 1];
  const y = new Tensor(softmaxKernel(c.backend, c.storage, c.size / cols, cols, log), c.shape);
  if (c !== x) c.dispose();
  return y;
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return lastAxis(x, axis, (xl) => {
    const y: Tensor = record(rows(xl, false), [xl], 'softmax', (g) => {
      const last = [g.rank - 1];
      return [U.mul(y, U.sub(g, U.sum(U.mul(g, y), last)))];
    });
    return y;
  });
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return lastAxis(x, axis, (xl) => {
    const y: Tensor = record(rows(xl, true), [xl], 'logSoftmax', (g) => [
      U.sub(g, U.mul(U.map(UNARY.exp, y), U.sum(g, [g.rank - 1]))),
    ]);
    return y;
  });
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const softmaxMethods = {
  softmax(this: Tensor, axis?: number): Tensor { return softmax(this, axis); },
  logSoftmax(this: Tensor, axis?: number): Tensor { return logSoftmax(this, axis); },
};
