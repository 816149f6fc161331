/**
 * The one registration of the ops as chainable methods (x.matmul(w).relu().sum()). Each ops
 * file holds an op's forward, its backward rule and its method (its `...Methods` object), and
 * ./backward.ts holds `backward()`; this file attaches those objects to Tensor.prototype, and
 * their types are Tensor's methods (`TensorMethods`, which ./tensor.ts's Tensor interface
 * extends), so an editor's "go to definition" on `x.mul` or `loss.backward` opens the file that
 * defines it. Adding an op: its file, and one line in the list below.
 */
import { backwardMethods } from './backward.js';
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
