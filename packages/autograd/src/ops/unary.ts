/**
 * Elementwise unary ops, each forward beside its derivative
 * (y = f(x), dL/dx = dL/dy · f'(x)).
 */
import { UNARY, clampOp, insideOp, mapKernel, powScalarOp, type ElementwiseOp } from '@maskgrad/kernels';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { mul, mulScalar, sub, rsub } from './binary.js';

function map1(x: Tensor, op: ElementwiseOp, name: string, backward: (g: Tensor, y: Tensor) => Tensor): Tensor {
  const out = mapKernel(x.backend, op, [x.stridedView]);
  const y: Tensor = result(out.data, out.shape, [x], name, (g) => [backward(g, y)]);
  return y;
}

/** Apply a kernel op with no derivative (used inside backward rules). */
export function mapNoGrad(x: Tensor, op: ElementwiseOp): Tensor {
  const out = mapKernel(x.backend, op, [x.stridedView]);
  return result(out.data, out.shape, [], 'map', () => []);
}

export const neg = (x: Tensor) => map1(x, UNARY.neg, 'neg', (g) => mulScalar(g, -1));
export const exp = (x: Tensor) => map1(x, UNARY.exp, 'exp', (g, y) => mul(g, y));
export const log = (x: Tensor) => map1(x, UNARY.log, 'log', (g) => mul(g, pow(x, -1)));
export const sqrt = (x: Tensor) => map1(x, UNARY.sqrt, 'sqrt', (g, y) => mulScalar(mul(g, pow(y, -1)), 0.5));
/** 1/√x; d/dx = −½ x^(−3/2). */
export const rsqrt = (x: Tensor) => map1(x, UNARY.rsqrt, 'rsqrt', (g, y) => mulScalar(mul(g, pow(y, 3)), -0.5));
export const tanh = (x: Tensor) => map1(x, UNARY.tanh, 'tanh', (g, y) => mul(g, rsub(mul(y, y), 1)));
/** d/dx erf(x) = 2/√π · exp(−x²). */
export const erf = (x: Tensor) =>
  map1(x, UNARY.erf, 'erf', (g) => mul(g, mulScalar(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))));
/** Exact GELU x·Φ(x); derivative Φ(x) + x·φ(x) as its own kernel. */
export const gelu = (x: Tensor) => map1(x, UNARY.gelu, 'gelu', (g) => mul(g, mapNoGrad(x, UNARY.geluGrad)));
export const relu = (x: Tensor) => map1(x, UNARY.relu, 'relu', (g) => mul(g, mapNoGrad(x, UNARY.step)));
export const sigmoid = (x: Tensor) => map1(x, UNARY.sigmoid, 'sigmoid', (g, y) => mul(g, mul(y, rsub(y, 1))));
/** |x|; the derivative at 0 is taken as 0 (as PyTorch). */
export const abs = (x: Tensor) => map1(x, UNARY.abs, 'abs', (g) => mul(g, mapNoGrad(x, UNARY.sign)));

/** x^p for a number p; d/dx = p·x^(p−1). */
export function pow(x: Tensor, p: number): Tensor {
  return map1(x, powScalarOp(p), `pow(${p})`, (g) => (p === 0 ? mulScalar(g, 0) : mul(g, mulScalar(pow(x, p - 1), p))));
}

/** min(max(x, lo), hi); the gradient passes where lo <= x <= hi. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new Error(`clamp(): lo (${lo}) must not exceed hi (${hi})`);
  return map1(x, clampOp(lo, hi), `clamp(${lo}, ${hi})`, (g) => mul(g, mapNoGrad(x, insideOp(lo, hi))));
}

export { sub };
