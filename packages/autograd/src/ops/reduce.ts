/**
 * Reductions: sum, mean, max over any axes; argmax. Backward: the
 * gradient of a sum is broadcast back; of a max, it goes to the maxima.
 */
import { reduceKernel, reduceShape, type ReduceOp } from '@maskgrad/kernels';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { compare, div, mul, mulScalar } from './binary.js';
import { contiguous, expand, normAxis, reshape } from './movement.js';

function axesOf(x: Tensor, axis?: number | readonly number[]): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  return [...new Set(list.map((a) => normAxis(a, x.rank)))].sort((a, b) => a - b);
}

/** Reduce the given axes (kept as size 1) with one kernel per axis, no graph. */
function reduceRaw(x: Tensor, op: ReduceOp, axes: number[]): { data: Float32Array; keptShape: number[] } {
  let data = contiguous(x).buffer;
  const shape = [...x.shape];
  for (const a of [...axes].reverse()) {
    data = reduceKernel(x.backend, op, data, reduceShape(shape, a));
    shape[a] = 1;
  }
  if (axes.length === 0) data = Float32Array.from(data);
  return { data, keptShape: shape };
}

function finalShape(x: Tensor, axes: number[], keepdim: boolean): number[] {
  return keepdim ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

export function sum(x: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const axes = axesOf(x, axis);
  const { data, keptShape } = reduceRaw(x, 'sum', axes);
  return result(data, finalShape(x, axes, keepdim), [x], 'sum', (g) => [expand(reshape(g, keptShape), x.shape)]);
}

export function mean(x: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const axes = axesOf(x, axis);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return mulScalar(sum(x, axes, keepdim), 1 / count);
}

/** Max over axes; ties share the gradient equally. */
export function max(x: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const axes = axesOf(x, axis);
  const { data, keptShape } = reduceRaw(x, 'max', axes);
  return result(data, finalShape(x, axes, keepdim), [x], 'max', (g) => {
    const m = result(data, keptShape, [], 'max', () => []);
    const hit = compare('eq', x, m);
    const count = sum(hit, axes, true);
    return [mul(expand(reshape(g, keptShape), x.shape), div(hit, count))];
  });
}

/** Index of the maximum along one axis (first on ties); not differentiable. */
export function argmax(x: Tensor, axis = -1, keepdim = false): Tensor {
  const a = normAxis(axis, x.rank);
  const { data } = reduceRaw(x, 'argmax', [a]);
  return result(data, finalShape(x, [a], keepdim), [], 'argmax', () => []);
}

/** Sum a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? sum(g, axes, true) : g;
  return reshape(s, shape);
}
