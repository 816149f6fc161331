/**
 * Reductions: sum, mean, max over any axes; argmax. Backward: the
 * gradient of a sum is broadcast back; of a max, it goes to the maxima.
 */
import { BINARY } from '@maskgrad/kernels';
import { type Axes, record, type Tensor } from '../tensor.js';
import { mul } from './binary.js';
import * as U from './untracked.js';

function axesOf(x: Tensor, axis?: number | readonly number[]): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  return [...new Set(list.map((a) => U.normAxis(a, x.rank)))].sort((a, b) => a - b);
}

function finalShape(x: Tensor, axes: number[], keepdim: boolean): number[] {
  return keepdim ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** op over axes, the axes dropped unless keepdim; and the shape with them kept (size 1). */
function reduced(x: Tensor, op: 'sum' | 'max' | 'argmax', axes: number[], keepdim: boolean): { keptShape: number[]; out: Tensor } {
  const kept = U.reduce(op, x, axes);
  const keptShape = [...kept.shape];
  if (keepdim) return { keptShape, out: kept };
  const out = U.reshape(kept, finalShape(x, axes, false));
  kept.dispose(); // the view holds the data
  return { keptShape, out };
}

export function sum(x: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const axes = axesOf(x, axis);
  const { keptShape, out } = reduced(x, 'sum', axes, keepdim);
  return record(out, [x], 'sum', (g) => [U.expand(U.reshape(g, keptShape), x.shape)]);
}

export function mean(x: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const axes = axesOf(x, axis);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return mul(sum(x, axes, keepdim), 1 / count);
}

/** Max over axes; ties share the gradient equally. */
export function max(x: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const axes = axesOf(x, axis);
  const { keptShape, out } = reduced(x, 'max', axes, keepdim);
  const y: Tensor = record(out, [x], 'max', (g) => {
    const hit = U.map(BINARY.eq, x, U.reshape(y, keptShape));
    return [U.mul(U.expand(U.reshape(g, keptShape), x.shape), U.div(hit, U.sum(hit, axes)))];
  });
  return y;
}

/** Index of the maximum along one axis (first on ties); not differentiable. */
export function argmax(x: Tensor, axis = -1, keepdim = false): Tensor {
  return reduced(x, 'argmax', [U.normAxis(axis, x.rank)], keepdim).out;
}

export const sumTo = U.sumTo;

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const reduceMethods = {
  sum(this: Tensor, axis?: Axes, keepdim?: boolean): Tensor { return sum(this, axis, keepdim); },
  mean(this: Tensor, axis?: Axes, keepdim?: boolean): Tensor { return mean(this, axis, keepdim); },
  max(this: Tensor, axis?: Axes, keepdim?: boolean): Tensor { return max(this, axis, keepdim); },
  argmax(this: Tensor, axis?: number, keepdim?: boolean): Tensor { return argmax(this, axis, keepdim); },
};
