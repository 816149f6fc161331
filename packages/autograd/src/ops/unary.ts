/**
 * Elementwise unary ops, each forward beside its derivative
 * (y = f(x), dL/dx = dL/dy · f'(x)).
 */
import { clampOp, insideOp, UNARY, type ElementwiseOp } from '@maskgrad/kernels';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import * as U from './untracked.js';

/** y = op(x), recording dL/dx = backward(g, y). */
function map1(x: Tensor, op: ElementwiseOp, backward: (g: Tensor, y: Tensor) => Tensor): Tensor {
  const y: Tensor = record(U.map(op, x), [x], op.name, (g) => [backward(g, y)]);
  return y;
}

/** 1 − y², the derivative of tanh in terms of its output. */
const oneMinusSquare = (y: Tensor) => U.rsub(1, U.mul(y, y));

export const neg = (x: Tensor) => map1(x, UNARY.neg, (g) => U.mul(g, -1));
export const exp = (x: Tensor) => map1(x, UNARY.exp, (g, y) => U.mul(g, y));
export const log = (x: Tensor) => map1(x, UNARY.log, (g) => U.div(g, x));
export const sqrt = (x: Tensor) => map1(x, UNARY.sqrt, (g, y) => U.mul(U.div(g, y), 0.5));
/** 1/√x; d/dx = −½ x^(−3/2) = −½ y³. */
export const rsqrt = (x: Tensor) => map1(x, UNARY.rsqrt, (g, y) => U.mul(U.mul(g, U.mul(y, U.mul(y, y))), -0.5));
export const tanh = (x: Tensor) => map1(x, UNARY.tanh, (g, y) => U.mul(g, oneMinusSquare(y)));
/** d/dx erf(x) = 2/√π · exp(−x²). */
export const erf = (x: Tensor) =>
  map1(x, UNARY.erf, (g) => U.mul(g, U.mul(U.map(UNARY.exp, U.mul(U.mul(x, x), -1)), 2 / Math.sqrt(Math.PI))));
/** Exact GELU x·Φ(x); derivative Φ(x) + x·φ(x) as its own kernel. */
export const gelu = (x: Tensor) => map1(x, UNARY.gelu, (g) => U.mul(g, U.map(UNARY.geluGrad, x)));
export const relu = (x: Tensor) => map1(x, UNARY.relu, (g) => U.mul(g, U.map(UNARY.step, x)));
/** σ'(x) = y·(1 − y). */
export const sigmoid = (x: Tensor) => map1(x, UNARY.sigmoid, (g, y) => U.mul(g, U.mul(y, U.rsub(1, y))));
/** |x|; the derivative at 0 is taken as 0 (as PyTorch). */
export const abs = (x: Tensor) => map1(x, UNARY.abs, (g) => U.mul(g, U.map(UNARY.sign, x)));

/** min(max(x, lo), hi); the gradient passes where lo <= x <= hi. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new Error(`clamp(): lo (${lo}) must not exceed hi (${hi})`);
  return map1(x, clampOp(lo, hi), (g) => U.mul(g, U.map(insideOp(lo, hi), x)));
}
