/**
 * The webgpu backend: tensors stay in device buffers, kernels run on the
 * asynchronous dataflow queue (./queued-backend.ts), and values reach the
 * host only through read(). Every result is a device buffer of its own
 * (gpu.js pipeline mode, `immutable`; reused from a pool once freed, see
 * ./webgpu-device.ts), and submission order follows the data dependencies. Compiling a kernel (asynchronous on WebGPU) is part of its
 * first launch. Errors the device reports outside any kernel's launch are
 * kept and surface at the next read() or flush().
 */
import * as gpujs from 'gpu.js';
import { GPU } from 'gpu.js';
import { kernelSettings, type Data, type KernelSpec, type MemoryStats } from './backend.js';
import { QueuedBackend, type QueuedKernel } from './queued-backend.js';
import { adapterName, describeAdapter, type AdapterDescription, type AdapterInfoLike } from './webgpu-adapter.js';
import { DeviceDiscipline, USAGE, type DeviceCounters, type GpuBuffer, type GpuDevice, type GpuJsKernel } from './webgpu-device.js';

/** WebGPU's default limit of storage buffers per shader stage, and the output takes one. */
export const MAX_KERNEL_ARRAYS = 7;

interface Context { device: GpuDevice; adapter: { info?: AdapterInfoLike; isFallbackAdapter?: boolean }; isLost: boolean }
type Handle = { buffer: GpuBuffer; delete(): void };
/** gpu.js exports these two (src/index.js), its typings do not. */
const { WebGPUBufferResult, WebGPUContext } = gpujs as unknown as {
  WebGPUBufferResult: new (settings: object) => Handle;
  WebGPUContext: { acquire(): Promise<unknown> };
};

export class WebGPUBackend extends QueuedBackend {
  readonly name = 'webgpu' as const;
  private readonly context: Context;
  private readonly discipline: DeviceDiscipline;

  private constructor(gpu: GPU, context: Context) {
    super(gpu);
    this.context = context;
    // MASKGRAD_WEBGPU_DISCIPLINE=off (Node): gpu.js's own submission, for before/after counts and timings
    const off = typeof process !== 'undefined' && process.env?.MASKGRAD_WEBGPU_DISCIPLINE === 'off';
    this.discipline = DeviceDiscipline.of(context.device, !off);
    const previous = context.device.onuncapturederror;
    context.device.onuncapturederror = (e) => {
      this.unreported ??= new Error(`the WebGPU device reported an error: ${e.error.message}`);
      previous?.call(context.device, e);
    };
  }

  /** Acquire the WebGPU device (through gpu.js, which every kernel shares) and make a backend on it. */
  static async create(): Promise<WebGPUBackend> {
    const context = (await WebGPUContext.acquire()) as unknown as Context;
    return new WebGPUBackend(new GPU({ mode: 'webgpu' }), context);
  }

  /** Vendor, architecture and description of the adapter, as the browser or Dawn reports them, and whether it is a software one. */
  get adapter(): AdapterDescription {
    return describeAdapter(this.context.adapter);
  }

  /** The adapter in words ("google swiftshader (SwiftShader driver 5.0.0)"). */
  get adapterInfo(): string {
    return this.context.adapter.info ? adapterName(this.adapter) : 'unknown adapter';
  }

  /** Every buffer on the device, gpu.js's own (uniforms, uploads, staging) and the reuse pool's included. */
  deviceMemory(): Omit<MemoryStats, 'peakBytes'> {
    return { ...this.discipline.live };
  }

  /** Kernels run and the WebGPU calls they cost, cumulative (./webgpu-device.ts): the bench's per-iteration counters are differences. */
  counters(): DeviceCounters & { kernels: number } {
    return { kernels: this.stats.kernelCalls, ...this.discipline.counters };
  }

  protected check(spec: KernelSpec, args: readonly (Data | number)[]): void {
    const arrays = args.filter((a) => typeof a !== 'number').length;
    if (arrays > MAX_KERNEL_ARRAYS) throw new Error(`internal: kernel '${spec.name}' reads ${arrays} arrays; WebGPU allows ${MAX_KERNEL_ARRAYS} besides its output`);
  }

  protected createKernel(spec: KernelSpec): QueuedKernel {
    const kernel = this.gpu.createKernel(spec.source as never, { ...kernelSettings(spec), pipeline: true, immutable: true } as never) as unknown as QueuedKernel;
    // the device wrapper may swap this kernel's parameters buffer during the call (./webgpu-device.ts)
    const call = ((...args: unknown[]) => {
      this.discipline.running = kernel.kernel as GpuJsKernel;
      try {
        return kernel(...args);
      } finally {
        this.discipline.running = null;
      }
    }) as QueuedKernel;
    return Object.assign(call, { kernel: kernel.kernel, destroy: () => kernel.destroy?.() });
  }

  /**
   * An Array(4) result (4 floats per cell, interleaved) is re-wrapped as a
   * flat array of 4× the cells, the layout host backends return: gpu.js
   * refuses Array(n) results as kernel arguments, not the buffer itself.
   */
  protected toHandle(raw: unknown, spec: KernelSpec): unknown {
    if (!spec.vec4) return raw;
    const cells = raw as Handle & { output: number[] };
    const flat = new WebGPUBufferResult({ buffer: cells.buffer, output: [cells.output.reduce((p, d) => p * d, 4)], componentCount: 1, context: this.context });
    cells.delete(); // the buffer stays: `flat` holds a reference to it
    return flat;
  }

  protected uploadHandle(values: Float32Array): unknown {
    // a pooled buffer, written through the queue (ordered after the kernels already recorded that used it)
    const buffer = this.context.device.createBuffer({ size: values.byteLength, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
    this.context.device.queue.writeBuffer(buffer, 0, values);
    return new WebGPUBufferResult({ buffer, output: [values.length], componentCount: 1, context: this.context });
  }

  protected freeHandle(handle: unknown): void {
    (handle as Handle).delete();
  }

  protected drain(): Promise<void> {
    return this.context.device.queue.onSubmittedWorkDone();
  }

  protected async copyOut(handle: unknown, length: number): Promise<Float32Array> {
    const device = this.context.device;
    if (this.context.isLost) throw new Error('the WebGPU device was lost; its buffers hold no data any more');
    const bytes = length * 4;
    const staging = device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    try {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer((handle as Handle).buffer, 0, staging, 0, bytes);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(USAGE.MAP_READ, 0, bytes); // submits the batch first (./webgpu-device.ts)
      const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
      staging.unmap();
      return values;
    } finally {
      staging.destroy();
    }
  }
}
