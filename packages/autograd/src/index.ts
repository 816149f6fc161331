/**
 * @maskgrad/autograd: a from-scratch reverse-mode autodiff engine.
 *
 *   const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 *   const y = x.matmul(x).relu().sum();
 *   y.backward();                // queues the kernels: nothing to await
 *   await x.grad!.data();
 */
import './methods.js';

export { Tensor, type GradFn } from './tensor.js';
export { collectorReleases } from './lifetimes.js';
export { tidy, keep } from './tensor.js';
export { tensor, zeros, ones, full, scalar, randn, rand, type TensorOptions, type RandomOptions } from './create.js';
export { noGrad, isGradEnabled } from './grad-mode.js';
export { topologicalOrder, type BackwardOptions } from './backward.js';
export { getBackend, setBackend, backendReport, type BackendReport } from './backend.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck.js';
export { toDot } from './to-dot.js';
export { hashUniform } from '@maskgrad/kernels';
export { Optimizer, SGD, Adam, AdamW, type AdamOptions, type SGDOptions } from './optim.js';
export { add, sub, mul, div, maximum, minimum, pow, powTensor, compare, where, type TensorLike, type CompareName } from './ops/binary.js';
export { neg, exp, log, sqrt, rsqrt, tanh, erf, gelu, relu, sigmoid, abs, clamp } from './ops/unary.js';
export { sum, mean, max, argmax, sumTo } from './ops/reduce.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { matmul } from './ops/matmul.js';
export { reshape, permute, transpose, expand, slice, squeeze, unsqueeze, contiguous } from './ops/movement.js';
export { unbind } from './ops/unbind.js';
export { concat } from './ops/concat.js';
export { lerp } from './ops/lerp.js';
export { gather } from './ops/gather.js';
export { flip } from './ops/flip.js';
export { pad } from './ops/pad.js';
export { conv2d, type Conv2dOptions } from './ops/conv2d.js';
export { resizeBilinear } from './ops/resize.js';
export { sort } from './ops/sort.js';
export { smoothMaxPool, type SmoothMaxPoolOptions } from './ops/smooth-max-pool.js';
export { layerNorm } from './ops/layer-norm.js';
export { crossEntropy } from './ops/cross-entropy.js';
