/**
 * Elementwise binary ops with NumPy broadcasting. A gradient flowing into
 * a broadcast input is summed over the broadcast axes (sumTo).
 */
import { BINARY, WHERE, broadcastShapes, mapKernel, type ElementwiseOp } from '@maskgrad/kernels';
import { scalar } from '../create.js';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { sumTo } from './reduce.js';
import { log, mapNoGrad, pow } from './unary.js';

export type TensorLike = Tensor | number;

function asTensor(x: TensorLike, like: Tensor): Tensor {
  return typeof x === 'number' ? scalar(x, like.backend) : x;
}

function map2(a: Tensor, b: Tensor, op: ElementwiseOp, name: string,
  backward: (g: Tensor, y: Tensor) => [() => Tensor, () => Tensor]): Tensor {
  const out = mapKernel(a.backend, op, [a.stridedView, b.stridedView]);
  const y: Tensor = result(out.data, out.shape, [a, b], name, (g, needs) => {
    const [ga, gb] = backward(g, y);
    return [needs[0] ? sumTo(ga(), a.shape) : null, needs[1] ? sumTo(gb(), b.shape) : null];
  });
  return y;
}

export function add(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.add, 'add', (g) => [() => g, () => g]);
}

export function sub(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.sub, 'sub', (g) => [() => g, () => mulScalar(g, -1)]);
}

/** c − x for a number c. */
export function rsub(x: Tensor, c: number): Tensor {
  return sub(scalar(c, x.backend), x);
}

export function mul(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.mul, 'mul', (g) => [() => mul(g, bt), () => mul(g, a)]);
}

export function mulScalar(a: Tensor, c: number): Tensor {
  return mul(a, c);
}

export function div(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  // d(a/b)/db = −a/b² = −y/b
  return map2(a, bt, BINARY.div, 'div', (g, y) => [() => div(g, bt), () => mul(mul(g, y), mulScalar(pow(bt, -1), -1))]);
}

/** Elementwise max; ties send the gradient to a (as the kernel picks a on ties). */
export function maximum(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.maximum, 'maximum', (g) => {
    const pickA = compare('ge', a, bt);
    return [() => mul(g, pickA), () => mul(g, mapNoGrad(pickA, { kernel: 'r = 1.0 - x0;', reference: (x) => 1 - x }))];
  });
}

export function minimum(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.minimum, 'minimum', (g) => {
    const pickA = compare('le', a, bt);
    return [() => mul(g, pickA), () => mul(g, mapNoGrad(pickA, { kernel: 'r = 1.0 - x0;', reference: (x) => 1 - x }))];
  });
}

/** a^b elementwise; d/da = b·a^(b−1), d/db = a^b·ln a. */
export function powTensor(a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  return map2(a, bt, BINARY.pow, 'pow', (g, y) => [
    () => mul(g, mul(bt, powTensor(a, sub(bt, 1)))),
    () => mul(g, mul(y, log(a))),
  ]);
}

export type CompareName = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** 1 where the comparison holds, else 0. Not differentiable (no graph). */
export function compare(op: CompareName, a: Tensor, b: TensorLike): Tensor {
  const bt = asTensor(b, a);
  const out = mapKernel(a.backend, BINARY[op], [a.stridedView, bt.stridedView]);
  return result(out.data, out.shape, [], op, () => []);
}

/** cond ? a : b, broadcast; the gradient goes to the branch that was taken. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const at = asTensor(a, cond);
  const bt = asTensor(b, cond);
  const out = mapKernel(cond.backend, WHERE, [cond.stridedView, at.stridedView, bt.stridedView]);
  const shape = broadcastShapes(broadcastShapes(cond.shape, at.shape), bt.shape);
  return result(out.data, shape, [cond, at, bt], 'where', (g, needs) => {
    const zero = scalar(0, g.backend);
    return [
      null,
      needs[1] ? sumTo(where(cond, g, zero), at.shape) : null,
      needs[2] ? sumTo(where(cond, zero, g), bt.shape) : null,
    ];
  });
}
