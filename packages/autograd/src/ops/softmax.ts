/**
 * Softmax and log-softmax along an axis.
 * softmax backward:     dx = y ⊙ (g − Σ g⊙y)
 * log-softmax backward: dx = g − softmax(x) · Σ g
 */
import { softmaxKernel } from '@maskgrad/kernels';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { mul, sub } from './binary.js';
import { contiguous, normAxis, transpose } from './movement.js';
import { sum } from './reduce.js';
import { exp } from './unary.js';

function lastAxis(x: Tensor, axis: number, fn: (x: Tensor) => Tensor): Tensor {
  const a = normAxis(axis, x.rank);
  if (a === x.rank - 1) return fn(x);
  return transpose(fn(transpose(x, a, -1)), a, -1);
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return lastAxis(x, axis, (xl) => {
    const c = contiguous(xl);
    const cols = c.shape[c.rank - 1];
    const data = softmaxKernel(c.backend, c.buffer, c.size / cols, cols, false);
    const y: Tensor = result(data, c.shape, [c], 'softmax', (g) => [mul(y, sub(g, sum(mul(g, y), -1, true)))]);
    return y;
  });
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return lastAxis(x, axis, (xl) => {
    const c = contiguous(xl);
    const cols = c.shape[c.rank - 1];
    const data = softmaxKernel(c.backend, c.buffer, c.size / cols, cols, true);
    const y: Tensor = result(data, c.shape, [c], 'logSoftmax', (g) => [sub(g, mul(exp(y), sum(g, -1, true)))]);
    return y;
  });
}
