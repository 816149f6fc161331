/**
 * @maskgrad/kernels: every numeric kernel of maskgrad as a gpu.js kernel,
 * each beside a plain TypeScript reference implementation of the same math,
 * and the backends that run them (host arrays, or data on an asynchronous
 * queue, each behind its backend's TensorData handle). Knows nothing about graphs or gradients: those live
 * in @maskgrad/autograd. Test helpers are in ./testing.ts, outside this API.
 */
export {
  KERNEL_CLASS, KernelError, outputCells,
  type ArgType, type Backend, type BackendName, type BackendStats, type KernelArg, type KernelSpec, type MemoryStats, type TensorData,
} from './backend.js';
export { DataflowQueue, QueuedData } from './dataflow-queue.js';
export { HostBackend, SHARED_PAGES } from './host-backend.js';
export { WebGPUBackend, MAX_KERNEL_ARRAYS } from './webgpu-backend.js';
export { ThreadsBackend } from './threads-backend.js';
export { QueuedBackend } from './queued-backend.js';
export { CompilingBackend, KernelCache } from './backend.js';
export { SWIFTSHADER_ICD, closeNodeWebGPU, installNodeWebGPU } from './node-webgpu.js';
export { adapterName, describeAdapter, softwareSkipReason, type AdapterDescription } from './webgpu-adapter.js';
export {
  BACKEND_ORDER, OPT_IN_BACKENDS, createBackend, createHostBackend, isBackendName, probeBackends, probeHeadlessGL, probeWebAsm, probeWebAsmThreads, probeWebGPU,
  selectBackend, selectHostBackend, type BackendProbe, type Selection,
} from './select-backend.js';
export * from './shape.js';
export { lit, int } from './codegen.js';
export { mapKernel, mapReference, type ElementwiseOp } from './elementwise.js';
export { UNARY, clampOp, insideOp, powScalarOp, type UnaryName } from './unary.js';
export { erfReference, erfSource, expSource, nativeTranscendentals, tanhSource } from './transcendental.js';
export { BINARY, LERP, WHERE, type BinaryName } from './binary.js';
export { reduceKernel, reduceReference, reduceShape, type ReduceOp, type ReduceShape } from './reduce.js';
export { softmaxKernel, softmaxReference } from './softmax.js';
export {
  layerNormBackwardKernel, layerNormBackwardReference, layerNormKernel, layerNormReference, type LayerNormGrads, type LayerNormResult,
} from './layer-norm.js';
export { geluBackwardKernel, geluKernel, geluReference } from './gelu.js';
export { adamKernel, adamReference, type AdamHyper, type AdamState } from './adam.js';
export { MATMUL_TUNING, matmulBlockedSource, matmulKernel, matmulReference, type MatmulTuning } from './matmul.js';
export { describeMatmul, type MatmulShape } from './matmul-shape.js';
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
export { argsortKernel, argsortReference, sortLength, sortRanksKernel, sortRanksReference, takeAlongRowsKernel, takeAlongRowsReference } from './sort.js';
export {
  smoothMaxPoolGradKernel, smoothMaxPoolGradReference, smoothMaxPoolKernel, smoothMaxPoolReference,
  type SmoothMaxPoolResult, type SmoothMaxPoolShape,
} from './smooth-max-pool.js';
export { hashUniform, normalKernel, normalReference, uniformKernel, uniformReference } from './random.js';
