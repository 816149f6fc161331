/**
 * @maskgrad/kernels: every numeric kernel of maskgrad as a gpu.js kernel,
 * each beside a plain TypeScript reference implementation of the same math.
 * Knows nothing about graphs or gradients: those live in @maskgrad/autograd.
 */
export { Backend, type ArgType, type BackendName, type BackendStats, type KernelSpec } from './backend.js';
export {
  BACKEND_ORDER, createBackend, isBackendName, probeBackends, probeHeadlessGL, probeWebAsm, probeWebGPU, selectBackend,
  type BackendProbe,
} from './select-backend.js';
export * from './shape.js';
export { lit, int } from './codegen.js';
export { mapKernel, mapReference, type ElementwiseOp } from './elementwise.js';
export { UNARY, affineOp, clampOp, insideOp, powScalarOp, type UnaryName } from './unary.js';
export { erfReference, erfSource, expSource, nativeTranscendentals, tanhSource } from './transcendental.js';
export { BINARY, WHERE, type BinaryName } from './binary.js';
export { reduceKernel, reduceReference, reduceShape, type ReduceOp, type ReduceShape } from './reduce.js';
export { softmaxKernel, softmaxReference } from './softmax.js';
export {
  layerNormBackwardKernel, layerNormBackwardReference, layerNormKernel, layerNormReference, type LayerNormGrads, type LayerNormResult,
} from './layer-norm.js';
export { geluBackwardKernel, geluKernel, geluReference } from './gelu.js';
export { blendKernel, blendMaskGradKernel, blendReference, type BlendShape } from './blend.js';
export { adamKernel, adamReference, type AdamHyper, type AdamState } from './adam.js';
export { MATMUL_TUNING, matmulBlockedSource, matmulKernel, matmulReference, type MatmulShape, type MatmulTuning } from './matmul.js';
export {
  conv2dGradReference, conv2dInputGradKernel, conv2dKernel, conv2dReference, conv2dWeightGradKernel, convOutputSize,
  type Conv2dShape,
} from './conv2d.js';
export {
  axisTaps, resizeBilinearGradKernel, resizeBilinearGradReference, resizeBilinearKernel, resizeBilinearReference,
  type ResizeShape,
} from './resize.js';
export { padKernel, padReference, paddedShape, type PadMode } from './pad.js';
export { concatKernel, concatReference, gatherKernel, gatherReference, scatterAddKernel } from './concat.js';
export { hashUniform, normalKernel, normalReference, uniformKernel, uniformReference } from './random.js';
export { maxAbsDiff, seededFloats, testBackends } from './test-backends.js';
