/**
 * Chainable methods (x.matmul(w).relu().sum()) attached to Tensor, each a
 * one-line call into ./ops, where the op and its derivative live (their
 * signatures are declared with the class, in ./tensor.ts).
 */
import type { PadMode } from '@maskgrad/kernels';
import { backward } from './backward.js';
import { add, compare, div, maximum, minimum, mul, pow, powTensor, sub, type CompareName } from './ops/binary.js';
import { concat } from './ops/concat.js';
import { conv2d } from './ops/conv2d.js';
import { flip } from './ops/flip.js';
import { gather } from './ops/gather.js';
import { layerNorm } from './ops/layer-norm.js';
import { matmul } from './ops/matmul.js';
import { contiguous, expand, permute, reshape, slice, squeeze, transpose, unsqueeze } from './ops/movement.js';
import { pad } from './ops/pad.js';
import { argmax, max, mean, sum } from './ops/reduce.js';
import { resizeBilinear } from './ops/resize.js';
import { logSoftmax, softmax } from './ops/softmax.js';
import { abs, clamp, erf, exp, gelu, log, neg, relu, rsqrt, sigmoid, sqrt, tanh } from './ops/unary.js';
import { Tensor, type Axes, type BackwardOptions, type Conv2dOptions, type TensorLike } from './tensor.js';

const cmp = (op: CompareName) => function (this: Tensor, b: TensorLike) { return compare(op, this, b); };

Object.assign(Tensor.prototype, {
  add(this: Tensor, b: TensorLike) { return add(this, b); },
  sub(this: Tensor, b: TensorLike) { return sub(this, b); },
  mul(this: Tensor, b: TensorLike) { return mul(this, b); },
  div(this: Tensor, b: TensorLike) { return div(this, b); },
  maximum(this: Tensor, b: TensorLike) { return maximum(this, b); },
  minimum(this: Tensor, b: TensorLike) { return minimum(this, b); },
  pow(this: Tensor, p: TensorLike) { return typeof p === 'number' ? pow(this, p) : powTensor(this, p); },
  eq: cmp('eq'), ne: cmp('ne'), lt: cmp('lt'), le: cmp('le'), gt: cmp('gt'), ge: cmp('ge'),
  neg(this: Tensor) { return neg(this); },
  exp(this: Tensor) { return exp(this); },
  log(this: Tensor) { return log(this); },
  sqrt(this: Tensor) { return sqrt(this); },
  rsqrt(this: Tensor) { return rsqrt(this); },
  tanh(this: Tensor) { return tanh(this); },
  erf(this: Tensor) { return erf(this); },
  gelu(this: Tensor, bias?: Tensor | null) { return gelu(this, bias ?? null); },
  relu(this: Tensor) { return relu(this); },
  sigmoid(this: Tensor) { return sigmoid(this); },
  abs(this: Tensor) { return abs(this); },
  clamp(this: Tensor, lo: number, hi: number) { return clamp(this, lo, hi); },
  sum(this: Tensor, axis?: Axes, keepdim?: boolean) { return sum(this, axis, keepdim); },
  mean(this: Tensor, axis?: Axes, keepdim?: boolean) { return mean(this, axis, keepdim); },
  max(this: Tensor, axis?: Axes, keepdim?: boolean) { return max(this, axis, keepdim); },
  argmax(this: Tensor, axis?: number, keepdim?: boolean) { return argmax(this, axis, keepdim); },
  softmax(this: Tensor, axis?: number) { return softmax(this, axis); },
  logSoftmax(this: Tensor, axis?: number) { return logSoftmax(this, axis); },
  matmul(this: Tensor, b: Tensor) { return matmul(this, b); },
  reshape(this: Tensor, shape: readonly number[]) { return reshape(this, shape); },
  view(this: Tensor, shape: readonly number[]) { return reshape(this, shape); },
  permute(this: Tensor, perm: readonly number[]) { return permute(this, perm); },
  transpose(this: Tensor, a?: number, b?: number) { return transpose(this, a, b); },
  expand(this: Tensor, shape: readonly number[]) { return expand(this, shape); },
  slice(this: Tensor, axis: number, start: number, end?: number) { return slice(this, axis, start, end); },
  squeeze(this: Tensor, axis: number) { return squeeze(this, axis); },
  unsqueeze(this: Tensor, axis: number) { return unsqueeze(this, axis); },
  contiguous(this: Tensor) { return contiguous(this); },
  flip(this: Tensor, axis: number) { return flip(this, axis); },
  gather(this: Tensor, axis: number, index: Float32Array | readonly number[]) { return gather(this, axis, index); },
  pad(this: Tensor, pads: readonly (readonly [number, number])[], mode?: PadMode, value?: number) { return pad(this, pads, mode, value); },
  conv2d(this: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions) { return conv2d(this, weight, bias ?? null, opts); },
  resizeBilinear(this: Tensor, height: number, width: number) { return resizeBilinear(this, height, width); },
  layerNorm(this: Tensor, gamma: Tensor | null, beta: Tensor | null, eps?: number) { return layerNorm(this, gamma, beta, eps); },
  concat(this: Tensor, others: readonly Tensor[], axis?: number) { return concat([this, ...others], axis); },
  backward(this: Tensor, grad?: Tensor, opts?: BackwardOptions) { backward(this, grad, opts); },
});

export {};
