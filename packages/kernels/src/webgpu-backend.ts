/**
 * The webgpu backend: tensors stay in device buffers, kernels run on the
 * asynchronous dataflow queue (./queued-backend.ts, ./dataflow-queue.ts), and values reach the
 * host only through read(). Every result is a device buffer of its own
 * (gpu.js pipeline mode, `immutable`; reused from a pool once freed, see
 * ./webgpu-device.ts), and submission order follows the data dependencies. Compiling a kernel (asynchronous on WebGPU) is part of its
 * first launch. Errors the device reports outside any kernel's launch are
 * kept and surface at the next read() or flush().
 */
import * as gpujs from 'gpu.js';
import { GPU } from 'gpu.js';
import { kernelSettings, outputCells, type KernelSpec, type MemoryStats, type KernelArg } from './backend.js';
import type { QueuedData } from './dataflow-queue.js';
import { QueuedBackend } from './queued-backend.js';
import { adapterName, describeAdapter, type AdapterDescription, type AdapterInfoLike } from './webgpu-adapter.js';
import { DeviceDiscipline, USAGE, type DeviceCounters, type GpuBuffer, type GpuDevice, type GpuJsKernel } from './webgpu-device.js';

/** WebGPU's default limit of storage buffers per shader stage, and the output takes one. */
export const MAX_KERNEL_ARRAYS = 7;

interface Context { device: GpuDevice; adapter: { info?: AdapterInfoLike; isFallbackAdapter?: boolean }; isLost: boolean }
type Handle = { buffer: GpuBuffer; delete(): void };
/** A gpu.js pipeline kernel: called with device buffers, resolves with its output buffer. */
type PipelineKernel = ((...args: unknown[]) => Promise<unknown>) & { kernel?: { constructor: { name: string } }; destroy?: () => void };
/** gpu.js exports these two (src/index.js), its typings do not. */
const { WebGPUBufferResult, WebGPUContext } = gpujs as unknown as {
  WebGPUBufferResult: new (settings: object) => Handle;
  WebGPUContext: { acquire(): Promise<unknown> };
};

export class WebGPUBackend extends QueuedBackend<PipelineKernel> {
  declare readonly name: 'webgpu';
  private readonly context: Context;
  private readonly discipline: DeviceDiscipline;

  private constructor(gpu: GPU, context: Context) {
    super('webgpu', gpu, (spec) => createPipelineKernel(gpu, spec), {
      free: (handle) => (handle as Handle).delete(),
      drain: () => context.device.queue.onSubmittedWorkDone(),
      copyOut: (handle, length) => copyOut(context, handle as Handle, length),
    });
    this.context = context;
    // MASKGRAD_WEBGPU_DISCIPLINE=off (Node): gpu.js's own submission, for before/after counts and timings
    const off = typeof process !== 'undefined' && process.env?.MASKGRAD_WEBGPU_DISCIPLINE === 'off';
    this.discipline = DeviceDiscipline.of(context.device, !off);
    const previous = context.device.onuncapturederror;
    context.device.onuncapturederror = (e) => {
      this.queue.unreported ??= new Error(`the WebGPU device reported an error: ${e.error.message}`);
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

  /**
   * From run() to the device: check the WebGPU limit, compile (or find) the
   * kernel, then queue its launch. The launch waits for the buffers it
   * reads, calls gpu.js's pipeline kernel with their device buffers (the
   * device wrapper, ./webgpu-device.ts, records it into the shared command
   * encoder and submits in batches), and keeps the output buffer.
   */
  run(spec: KernelSpec, args: readonly KernelArg[]): QueuedData {
    const arrays = args.filter((a) => typeof a !== 'number').length;
    if (arrays > MAX_KERNEL_ARRAYS) throw new Error(`internal: kernel '${spec.name}' reads ${arrays} arrays; WebGPU allows ${MAX_KERNEL_ARRAYS} besides its output`);
    const cells = outputCells(spec);
    const kernel = cells === 0 ? null : this.kernels.get(spec, args);
    return this.queue.launch(spec.name, cells * (spec.vec4 ? 4 : 1), args, async (handles) => {
      // the device wrapper may swap this kernel's parameters buffer during the (synchronous part of the) call (./webgpu-device.ts)
      this.discipline.running = kernel!.kernel as GpuJsKernel;
      let launched: Promise<unknown>;
      try {
        launched = kernel!(...handles);
      } finally {
        this.discipline.running = null;
      }
      const raw = await launched;
      return spec.vec4 ? this.flatVec4(raw as Handle & { output: number[] }) : raw;
    });
  }

  upload(values: Float32Array): QueuedData {
    if (values.length === 0) return this.queue.settled(0, 'upload', null);
    // a pooled buffer, written through the queue (ordered after the kernels already recorded that used it)
    const buffer = this.context.device.createBuffer({ size: values.byteLength, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
    this.context.device.queue.writeBuffer(buffer, 0, values);
    return this.queue.settled(values.length, `upload ${values.length}`, new WebGPUBufferResult({ buffer, output: [values.length], componentCount: 1, context: this.context }));
  }

  /**
   * An Array(4) result (4 floats per cell, interleaved) is re-wrapped as a
   * flat array of 4× the cells, the layout host backends return: gpu.js
   * refuses Array(n) results as kernel arguments, not the buffer itself.
   */
  private flatVec4(cells: Handle & { output: number[] }): Handle {
    const flat = new WebGPUBufferResult({ buffer: cells.buffer, output: [cells.output.reduce((p, d) => p * d, 4)], componentCount: 1, context: this.context });
    cells.delete(); // the buffer stays: `flat` holds a reference to it
    return flat;
  }
}

/** gpu.js's pipeline kernel for `spec`: every result a buffer of its own (`immutable`). Compiling is part of its first launch. */
function createPipelineKernel(gpu: GPU, spec: KernelSpec): PipelineKernel {
  return gpu.createKernel(spec.source as never, { ...kernelSettings(spec), pipeline: true, immutable: true } as never) as unknown as PipelineKernel;
}

/** Copy a buffer's first `length` floats to the host through a staging buffer. */
async function copyOut(context: Context, handle: Handle, length: number): Promise<Float32Array> {
  const device = context.device;
  if (context.isLost) throw new Error('the WebGPU device was lost; its buffers hold no data any more');
  const bytes = length * 4;
  const staging = device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  try {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(handle.buffer, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(USAGE.MAP_READ, 0, bytes); // submits the batch first (./webgpu-device.ts)
    const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    return values;
  } finally {
    staging.destroy();
  }
}
