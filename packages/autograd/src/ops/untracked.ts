/**
 * The ops' math with no graph: what derivative rules are written in.
 *
 * backward() runs the rules under noGrad, so a rule never needs its own
 * derivative; writing rules with these functions (rather than with the
 * tracked ops of the sibling files) keeps every ops file importing only
 * downwards, into this one. Forward ops call them too, then record.
 */
import {
  BINARY, contiguousStrides, gatherKernel, mapKernel, reduceKernel, reduceShape, UNARY, WHERE,
  type TensorData, type ElementwiseOp, type ReduceOp,
} from '@maskgrad/kernels';
import { scalar } from '../create.js';
import { backendOf, Tensor, type TensorLike } from '../tensor.js';

export type { TensorLike };

export function asTensor(x: TensorLike, like: Tensor): Tensor {
  return typeof x === 'number' ? scalar(x, like.backend) : x;
}

export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what} ${axis} is out of range for a tensor of rank ${rank}`);
  return a;
}

/** An elementwise op over broadcast inputs, as a new contiguous tensor. */
export function map(op: ElementwiseOp, ...xs: Tensor[]): Tensor {
  const backend = backendOf(...xs);
  const out = mapKernel(backend, op, xs.map((x) => x.stridedView));
  return new Tensor(out.data, out.shape);
}

export const add = (a: Tensor, b: TensorLike) => map(BINARY.add, a, asTensor(b, a));
export const sub = (a: Tensor, b: TensorLike) => map(BINARY.sub, a, asTensor(b, a));
export const mul = (a: Tensor, b: TensorLike) => map(BINARY.mul, a, asTensor(b, a));
export const div = (a: Tensor, b: TensorLike) => map(BINARY.div, a, asTensor(b, a));
/** c − x for a number c. */
export const rsub = (c: number, x: Tensor) => map(BINARY.sub, scalar(c, x.backend), x);
/** cond ? a : b */
export const where = (cond: Tensor, a: TensorLike, b: TensorLike) => map(WHERE, cond, asTensor(a, cond), asTensor(b, cond));

/** A view of x's data with another shape/strides (no copy, no graph). */
export function view(x: Tensor, shape: readonly number[], strides: readonly number[], offset = x.offset): Tensor {
  x.backend.retain(x.storage);
  return new Tensor(x.storage, shape, { strides, offset });
}

/** The last two axes swapped, as a view (a matrix batch's transpose). */
export function swapLast(x: Tensor): Tensor {
  const r = x.rank;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return view(x, perm.map((a) => x.shape[a]), perm.map((a) => x.strides[a]));
}

/** Entries along `axis` picked by `index` (validated by the caller), as a new contiguous tensor. */
export function gather(x: Tensor, axis: number, index: Float32Array): Tensor {
  const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const xc = contiguous(x);
  const shape = [...x.shape];
  shape[axis] = index.length;
  const y = new Tensor(gatherKernel(x.backend, xc.storage, index, outer, x.shape[axis], inner), shape);
  if (xc !== x) xc.dispose();
  return y;
}

/** The order of `axis` reversed. */
export function flip(x: Tensor, axis: number): Tensor {
  const n = x.shape[axis];
  return gather(x, axis, Float32Array.from({ length: n }, (_, i) => n - 1 - i));
}

/** A contiguous copy (or x itself when already contiguous). */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous ? x : map(UNARY.copy, x);
}

/** Same elements, new shape (copies first when x is not contiguous). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return view(contiguous(x), shape, contiguousStrides(shape), 0);
}

/** Broadcast to `shape` without copying (stride 0 on new and size-1 axes). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const rank = shape.length;
  if (rank < x.rank) throw new Error(`cannot expand [${x.shape.join(', ')}] to fewer axes [${shape.join(', ')}]`);
  const strides = new Array<number>(rank).fill(0);
  for (let i = 0; i < x.rank; i++) {
    const j = rank - x.rank + i;
    if (x.shape[i] === shape[j]) strides[j] = x.strides[i];
    else if (x.shape[i] !== 1) throw new Error(`cannot expand [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  }
  return view(x, shape, strides);
}

/** Reduce the given (sorted) axes with one kernel per axis; they stay as size 1. A fresh tensor. */
export function reduce(op: ReduceOp, x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length === 0) return map(UNARY.copy, x);
  const backend = x.backend;
  const src = contiguous(x);
  const shape = [...x.shape];
  let data: TensorData = src.storage;
  for (const [k, a] of [...axes].reverse().entries()) {
    const next = reduceKernel(backend, op, data, reduceShape(shape, a));
    if (k > 0) backend.release(data);
    data = next;
    shape[a] = 1;
  }
  if (src !== x) src.dispose();
  return new Tensor(data, shape);
}

/** Σ over axes, keeping them as size 1. */
export function sum(x: Tensor, axes: readonly number[]): Tensor {
  return reduce('sum', x, axes);
}

/** Sum a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(axes.length ? sum(g, axes) : g, shape);
}
