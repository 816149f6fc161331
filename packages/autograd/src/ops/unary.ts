/**
 * Elementwise unary ops, each forward beside its derivative
 * (y = f(x), dL/dx = dL/dy · f'(x)).
 */
import { clampOp, geluBackwardKernel, geluKernel, insideOp, UNARY, type ElementwiseOp } from '@maskgrad/kernels';
import { backendOf, record, Tensor } from '../tensor.js';
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
/**
 * Exact GELU u·Φ(u) of u = x + bias (bias over the last axis, optional: the
 * MLP's fc1 bias folds in here), one kernel forward and one backward:
 * dL/dx = g·(Φ(u) + u·φ(u)), dL/dbias = that summed over the other axes.
 */
export function gelu(x: Tensor, bias: Tensor | null = null): Tensor {
  const cols = x.shape[x.rank - 1];
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cols)) throw new Error(`gelu(): bias has shape [${bias.shape.join(', ')}], expected [${cols}]`);
  const backend = backendOf(x, ...(bias ? [bias] : []));
  const xc = U.contiguous(x);
  const bc = bias ? U.contiguous(bias) : null;
  const y = new Tensor(geluKernel(backend, xc.storage, bc?.storage ?? null, cols), x.shape);
  return record(y, bias ? [x, bias] : [x], bias ? 'gelu(x + bias)' : 'gelu', (g, needs) => {
    const dx = new Tensor(geluBackwardKernel(backend, xc.storage, bc?.storage ?? null, U.contiguous(g).storage, cols), x.shape);
    return [dx, ...(bias ? [needs[1] ? U.reshape(U.sum(dx, x.shape.slice(0, -1).map((_, i) => i)), [cols]) : null] : [])];
  });
}
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

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const unaryMethods = {
  neg(this: Tensor): Tensor { return neg(this); },
  exp(this: Tensor): Tensor { return exp(this); },
  log(this: Tensor): Tensor { return log(this); },
  sqrt(this: Tensor): Tensor { return sqrt(this); },
  rsqrt(this: Tensor): Tensor { return rsqrt(this); },
  tanh(this: Tensor): Tensor { return tanh(this); },
  erf(this: Tensor): Tensor { return erf(this); },
  /** GELU of this + bias (bias over the last axis, optional), fused. */
  gelu(this: Tensor, bias?: Tensor | null): Tensor { return gelu(this, bias ?? null); },
  relu(this: Tensor): Tensor { return relu(this); },
  sigmoid(this: Tensor): Tensor { return sigmoid(this); },
  abs(this: Tensor): Tensor { return abs(this); },
  clamp(this: Tensor, lo: number, hi: number): Tensor { return clamp(this, lo, hi); },
};
