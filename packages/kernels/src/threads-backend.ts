/**
 * webasm-threads: gpu.js's WebAssembly kernels run on its worker pool (the
 * async contract: `asyncMode`), so a large kernel is split across the
 * machine's cores. Results are host Float32Arrays, but they arrive later,
 * so this backend runs on the same asynchronous dataflow queue as webgpu
 * (./queued-backend.ts) and reading is `await`ed there too. Needs worker
 * threads over shared memory: Node, or a cross-origin-isolated page.
 */
import { GPU } from 'gpu.js';
import { kernelSettings, type KernelSpec } from './backend.js';
import { flatten, flatResults, type CompiledKernel } from './host-backend.js';
import { QueuedBackend, type QueuedKernel } from './queued-backend.js';

export class ThreadsBackend extends QueuedBackend {
  readonly name = 'webasm-threads' as const;

  constructor() {
    super(new GPU({ mode: 'webasm' }));
  }

  protected check(): void {}

  protected createKernel(spec: KernelSpec): QueuedKernel {
    const kernel = this.gpu.createKernel(spec.source as never, { ...kernelSettings(spec), asyncMode: true } as never) as unknown as CompiledKernel;
    flatResults(kernel);
    return kernel as unknown as QueuedKernel;
  }

  protected toHandle(raw: unknown, spec: KernelSpec): unknown {
    const cells = typeof spec.output === 'number' ? spec.output : spec.output[0] * spec.output[1] * spec.output[2];
    return flatten(raw, cells * (spec.vec4 ? 4 : 1));
  }

  protected uploadHandle(values: Float32Array): unknown {
    return values;
  }

  protected copyOut(handle: unknown): Promise<Float32Array> {
    return Promise.resolve(Float32Array.from(handle as Float32Array));
  }

  protected freeHandle(): void {}

  protected drain(): Promise<void> {
    return Promise.resolve();
  }
}

/** Whether gpu.js can run WebAssembly kernels on worker threads here. */
export function threadsSupported(): boolean {
  return (GPU as unknown as { isWebAssemblySupported: boolean }).isWebAssemblySupported
    && !!(globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer
    && ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false);
}
