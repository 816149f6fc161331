/**
 * webasm-threads: gpu.js's WebAssembly kernels run on its worker pool (the
 * async contract: `asyncMode`), so a large kernel is split across the
 * machine's cores. Results are host Float32Arrays, but they arrive later,
 * so this backend runs on the same asynchronous dataflow queue as webgpu
 * (./queued-backend.ts, ./dataflow-queue.ts) and reading is `await`ed there too. Needs worker
 * threads over shared memory: Node, or a cross-origin-isolated page.
 */
import { GPU } from 'gpu.js';
import { kernelSettings, outputCells, type KernelSpec, type KernelArg } from './backend.js';
import type { QueuedData } from './dataflow-queue.js';
import { flatten, flatResults, type CompiledKernel } from './host-backend.js';
import { QueuedBackend } from './queued-backend.js';

/** gpu.js's WebAssembly kernel in asyncMode: resolves with its result once a worker has computed it. */
type AsyncKernel = ((...args: unknown[]) => Promise<unknown>) & CompiledKernel;

export class ThreadsBackend extends QueuedBackend<AsyncKernel> {
  declare readonly name: 'webasm-threads';

  constructor() {
    const gpu = new GPU({ mode: 'webasm' });
    super('webasm-threads', gpu, (spec) => {
      const kernel = gpu.createKernel(spec.source as never, { ...kernelSettings(spec), asyncMode: true } as never) as unknown as AsyncKernel;
      flatResults(kernel);
      return kernel;
    }, {
      free: () => {}, // a host array: the garbage collector frees it once the buffer lets go
      drain: () => Promise.resolve(), // a launch has settled once its result arrived
      copyOut: (handle) => Promise.resolve(Float32Array.from(handle as Float32Array)),
    });
  }

  /**
   * From run() to a worker: compile (or find) the kernel, then queue its
   * launch (./dataflow-queue.ts), which waits for the arrays it reads and
   * hands them to gpu.js's worker pool; the flat result becomes the
   * buffer's handle.
   */
  run(spec: KernelSpec, args: readonly KernelArg[]): QueuedData {
    const length = outputCells(spec) * (spec.vec4 ? 4 : 1);
    const kernel = length === 0 ? null : this.kernels.get(spec, args);
    return this.queue.launch(spec.name, length, args, async (arrays) => flatten(await kernel!(...arrays), length));
  }

  upload(values: Float32Array): QueuedData {
    return this.queue.settled(values.length, values.length ? `upload ${values.length}` : 'upload', values);
  }
}

/** Whether gpu.js can run WebAssembly kernels on worker threads here. */
export function threadsSupported(): boolean {
  return (GPU as unknown as { isWebAssemblySupported: boolean }).isWebAssemblySupported
    && !!(globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer
    && ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false);
}
