/**
 * The one registration of the ops as chainable methods (x.matmul(w).relu().sum()). Each ops
 * file holds an op's forward, its backward rule and its method (its `...Methods` object); this
 * file attaches those objects to Tensor.prototype, and their types are Tensor's methods
 * (`TensorMethods`, which ./tensor.ts's Tensor interface extends). Adding an op: its file, and
 * one line in the list below.
 */
import { backward, type BackwardOptions } from './backward.js';
import { binaryMethods } from './ops/binary.js';
import { concatMethods } from './ops/concat.js';
import { conv2dMethods } from './ops/conv2d.js';
import { flipMethods } from './ops/flip.js';
import { gatherMethods } from './ops/gather.js';
import { layerNormMethods } from './ops/layer-norm.js';
import { matmulMethods } from './ops/matmul.js';
import { movementMethods } from './ops/movement.js';
import { padMethods } from './ops/pad.js';
import { reduceMethods } from './ops/reduce.js';
import { resizeMethods } from './ops/resize.js';
import { softmaxMethods } from './ops/softmax.js';
import { unaryMethods } from './ops/unary.js';
import { unbindMethods } from './ops/unbind.js';
import { Tensor } from './tensor.js';

const backwardMethods = {
  /**
   * Accumulate gradients into every leaf that requires grad (./backward.ts). Synchronous: it
   * queues kernels and returns; reading a gradient is what is awaited (`await x.grad!.data()`).
   */
  backward(this: Tensor, grad?: Tensor, opts?: BackwardOptions): void { backward(this, grad, opts); },
};

const METHODS = [
  binaryMethods, unaryMethods, reduceMethods, softmaxMethods, matmulMethods, movementMethods, concatMethods,
  flipMethods, gatherMethods, padMethods, conv2dMethods, resizeMethods, layerNormMethods, unbindMethods,
  backwardMethods,
] as const;
for (const methods of METHODS) Object.assign(Tensor.prototype, methods);

/** Every chainable method of Tensor, as the ops files define them. */
export type TensorMethods = typeof binaryMethods & typeof unaryMethods & typeof reduceMethods & typeof softmaxMethods
  & typeof matmulMethods & typeof movementMethods & typeof concatMethods & typeof flipMethods & typeof gatherMethods
  & typeof padMethods & typeof conv2dMethods & typeof resizeMethods & typeof layerNormMethods & typeof unbindMethods
  & typeof backwardMethods;
