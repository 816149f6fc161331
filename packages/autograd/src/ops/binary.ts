/**
 * Elementwise binary ops with NumPy broadcasting. A gradient flowing into
 * a broadcast input is summed over the broadcast axes (sumTo).
 */
import { BINARY, powScalarOp, UNARY, type ElementwiseOp } from '@maskgrad/kernels';
import { record, type Tensor } from '../tensor.js';
import * as U from './untracked.js';
import { asTensor, type TensorLike } from './untracked.js';

export type { TensorLike };

/** y = op(a, b), recording dL/da and dL/db (each summed back to its input's shape). */
function map2(a: Tensor, b: Tensor, op: ElementwiseOp, backward: (g: Tensor, y: Tensor) => [() => Tensor, () => Tensor]): Tensor {
  const y: Tensor = record(U.map(op, a, b), [a, b], op.name, (g, needs) => {
    const [ga, gb] = backward(g, y);
    return [needs[0] ? U.sumTo(ga(), a.shape) : null, needs[1] ? U.sumTo(gb(), b.shape) : null];
  });
  return y;
}

export function add(a: Tensor, b: TensorLike): Tensor {
  return map2(a, asTensor(b, a), BINARY.add, (g) => [() => g, () => g]);
}

export function sub(a: Tensor, b: TensorLike): Tensor {
  return map2(a, asTensor(b, a), BINARY.sub, (g) => [() => g, () => U.mul(g, -1)]);
}

export function mul(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.mul, (g) => [() => U.mul(g, bt), () => U.mul(g, a)]);
}

/** d(a/b)/da = 1/b, d(a/b)/db = −a/b² = −y/b. */
export function div(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.div, (g, y) => [() => U.div(g, bt), () => U.mul(U.div(U.mul(g, y), bt), -1)]);
}

/** Elementwise max; ties send the gradient to a (as the kernel picks a on ties). */
export function maximum(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.maximum, (g) => {
    const pickA = U.map(BINARY.ge, a, bt);
    return [() => U.mul(g, pickA), () => U.where(pickA, 0, g)];
  });
}

export function minimum(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.minimum, (g) => {
    const pickA = U.map(BINARY.le, a, bt);
    return [() => U.mul(g, pickA), () => U.where(pickA, 0, g)];
  });
}

/** a^b elementwise; d/da = b·a^(b−1), d/db = a^b·ln a. */
export function powTensor(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.pow, (g, y) => [
    () => U.mul(g, U.mul(bt, U.map(BINARY.pow, a, U.sub(bt, 1)))),
    () => U.mul(g, U.mul(y, U.map(UNARY.log, a))),
  ]);
}

/** x^p for a number p; d/dx = p·x^(p−1). */
export function pow(x: Tensor, p: number): Tensor {
  return record(U.map(powScalarOp(p), x), [x], `pow(${p})`, (g) => [
    p === 0 ? U.mul(g, 0) : U.mul(g, U.mul(U.map(powScalarOp(p - 1), x), p)),
  ]);
}

export type CompareName = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** 1 where the comparison holds, else 0. Not differentiable (no graph). */
export function compare(op: CompareName, a: Tensor, b: TensorLike): Tensor {
  return U.map(BINARY[op], a, asTensor(b, a));
}

/** cond ? a : b, broadcast; the gradient goes to the branch that was taken. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const at = asTensor(a, cond);
  const bt = asTensor(b, cond);
  return record(U.where(cond, at, bt), [cond, at, bt], 'where', (g, needs) => [
    null,
    needs[1] ? U.sumTo(U.where(cond, g, 0), at.shape) : null,
    needs[2] ? U.sumTo(U.where(cond, 0, g), bt.shape) : null,
  ]);
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const binaryMethods = {
  add(this: Tensor, b: TensorLike): Tensor { return add(this, b); },
  sub(this: Tensor, b: TensorLike): Tensor { return sub(this, b); },
  mul(this: Tensor, b: TensorLike): Tensor { return mul(this, b); },
  div(this: Tensor, b: TensorLike): Tensor { return div(this, b); },
  maximum(this: Tensor, b: TensorLike): Tensor { return maximum(this, b); },
  minimum(this: Tensor, b: TensorLike): Tensor { return minimum(this, b); },
  /** x^p: a number p uses the scalar kernel, a tensor the elementwise one. */
  pow(this: Tensor, p: TensorLike): Tensor { return typeof p === 'number' ? pow(this, p) : powTensor(this, p); },
  eq(this: Tensor, b: TensorLike): Tensor { return compare('eq', this, b); },
  ne(this: Tensor, b: TensorLike): Tensor { return compare('ne', this, b); },
  lt(this: Tensor, b: TensorLike): Tensor { return compare('lt', this, b); },
  le(this: Tensor, b: TensorLike): Tensor { return compare('le', this, b); },
  gt(this: Tensor, b: TensorLike): Tensor { return compare('gt', this, b); },
  ge(this: Tensor, b: TensorLike): Tensor { return compare('ge', this, b); },
};
