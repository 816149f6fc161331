/**
 * The webgpu backend: tensors stay in device buffers, kernels run on an
 * asynchronous queue, and values reach the host only through read().
 *
 * The queue is dataflow, not a global lock: run() returns a DeviceBuffer at
 * once and launches the gpu.js kernel as soon as the buffers it reads have
 * been submitted. Every result gets a fresh buffer (gpu.js pipeline mode,
 * `immutable`), so a later kernel never overwrites what an earlier one has
 * yet to read, and submission order follows data dependencies. Compiling a
 * kernel (asynchronous on WebGPU) is part of its first launch. A failure is
 * stored in the result and in every result computed from it, and surfaces
 * at the next await: read() or flush().
 */
import * as gpujs from 'gpu.js';
import { GPU } from 'gpu.js';
import {
  KERNEL_CLASS, KernelError, argSize, kernelSettings, outputCells,
  type Backend, type BackendStats, type Data, type KernelSpec, type MemoryStats,
} from './backend.js';
import { DeviceBuffer } from './device-buffer.js';

// GPUBufferUsage / GPUMapMode values, fixed by the WebGPU spec (the globals exist only where WebGPU does)
const USAGE = { MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, STORAGE: 0x0080 };
const MAP_READ = 0x0001;

/** WebGPU's default limit of storage buffers per shader stage, and the output takes one. */
export const MAX_KERNEL_ARRAYS = 7;

interface GpuBuffer { size: number; destroy(): void; mapAsync(mode: number, offset?: number, size?: number): Promise<void>; getMappedRange(o?: number, s?: number): ArrayBuffer; unmap(): void }
interface GpuDevice {
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): GpuBuffer;
  createCommandEncoder(): { copyBufferToBuffer(a: GpuBuffer, ao: number, b: GpuBuffer, bo: number, n: number): void; finish(): unknown };
  queue: { submit(cmds: unknown[]): void; onSubmittedWorkDone(): Promise<void> };
  onuncapturederror: ((e: { error: { message: string } }) => void) | null;
}
interface Context { device: GpuDevice; adapter: { info?: { vendor?: string; architecture?: string; description?: string } }; isLost: boolean }
type Handle = { buffer: GpuBuffer; delete(): void };
/** gpu.js exports these two (src/index.js), its typings do not. */
const { WebGPUBufferResult, WebGPUContext } = gpujs as unknown as {
  WebGPUBufferResult: new (settings: object) => Handle;
  WebGPUContext: { acquire(): Promise<unknown> };
};
type CompiledKernel = ((...args: unknown[]) => Promise<Handle>) & { kernel?: { constructor: { name: string } }; destroy?: () => void; kernelName?: string };

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly residency = 'device' as const;
  private readonly gpu: GPU;
  private readonly cache = new Map<string, CompiledKernel>();
  private readonly context: Context;
  private calls = 0;
  private compiles = 0;
  private live = 0;
  private liveBytes = 0;
  /** Launches not yet settled. */
  private readonly pending = new Set<Promise<void>>();
  /** The first failure nobody has been told about yet: the next read() or flush() rejects with it. */
  private unreported: Error | null = null;
  profile: Map<string, { ms: number; calls: number }> | null = null;
  /** With profiling on, launches run one at a time and each is timed until the device finishes it. */
  private profileTail: Promise<void> = Promise.resolve();

  private constructor(gpu: GPU, context: Context) {
    this.gpu = gpu;
    this.context = context;
    countDeviceMemory(context.device);
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

  /** Vendor and architecture of the adapter, as the browser or Dawn reports them. */
  get adapterInfo(): string {
    const info = this.context.adapter.info;
    return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter' : 'unknown adapter';
  }

  get stats(): BackendStats {
    return { kernelCalls: this.calls, compiles: this.compiles, cachedKernels: this.cache.size };
  }

  run(spec: KernelSpec, args: readonly (Data | number)[]): DeviceBuffer {
    const cells = outputCells(spec);
    if (spec.vec4) throw new Error(`internal: kernel '${spec.name}' returns Array(4), which webgpu cannot pass to the next kernel`);
    const arrays = args.filter((a) => typeof a !== 'number').length;
    if (arrays > MAX_KERNEL_ARRAYS) throw new Error(`internal: kernel '${spec.name}' reads ${arrays} arrays; WebGPU allows ${MAX_KERNEL_ARRAYS} besides its output`);
    const inputs = args.filter((a): a is DeviceBuffer => a instanceof DeviceBuffer);
    for (const b of inputs) {
      if (b.backend !== this) throw new Error(`kernel '${spec.name}': an argument lives on another backend (${b.backend.name}); move it with toBackend()`);
    }
    if (cells === 0) return this.settledBuffer(0, spec.name, Promise.resolve(null));
    this.calls++;
    const kernel = this.compile(spec, args);
    for (const b of inputs) b.beginRead();
    const launch = async (): Promise<Handle> => {
      const waiting = inputs.filter((b) => b.handle === null && b.error === null);
      if (waiting.length) await Promise.all(waiting.map((b) => b.settled));
      const failed = inputs.find((b) => b.error);
      if (failed) throw failed.error;
      const gone = inputs.find((b) => b.isFreed);
      if (gone) throw new Error(`internal: '${spec.name}' read a freed buffer written by '${gone.kernel}'`);
      try {
        return await kernel(...args.map((a) => (a instanceof DeviceBuffer ? a.handle : a)));
      } catch (e) {
        throw new KernelError(spec.name, this.name, e);
      } finally {
        for (const b of inputs) b.endRead();
      }
    };
    return this.settledBuffer(cells, spec.name, this.profile ? this.timed(spec.name, launch) : launch());
  }

  upload(values: Float32Array): DeviceBuffer {
    if (values.length === 0) return this.settledBuffer(0, 'upload', Promise.resolve(null));
    const buffer = this.context.device.createBuffer({
      size: values.byteLength, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, mappedAtCreation: true,
    });
    new Float32Array(buffer.getMappedRange()).set(values);
    buffer.unmap();
    const handle = new WebGPUBufferResult({ buffer, output: [values.length], componentCount: 1, context: this.context });
    return this.settledBuffer(values.length, `upload ${values.length}`, Promise.resolve(handle));
  }

  async read(data: Data): Promise<Float32Array> {
    if (!(data instanceof DeviceBuffer)) return Float32Array.from(data);
    if (data.backend !== this) throw new Error(`these values live on ${data.backend.name}, not on webgpu`);
    data.retain(); // keep it until the copy is done, even if its tensor is disposed meanwhile
    try {
      await data.settled;
      this.throwUnreported(data.error);
      if (data.error) throw data.error;
      if (data.length === 0) return new Float32Array(0);
      const values = await this.copyToHost((data.handle as Handle).buffer, data.length * 4);
      this.throwUnreported(null);
      return values;
    } finally {
      data.release();
    }
  }

  readSync(data: Data): Float32Array {
    if (data instanceof DeviceBuffer) {
      throw new Error('the values live on the webgpu device: read them with `await tensor.data()` (or `await tensor.item()`), not synchronously');
    }
    return data;
  }

  retain(data: Data): void {
    if (data instanceof DeviceBuffer) data.retain();
  }

  release(data: Data): void {
    if (data instanceof DeviceBuffer) data.release();
  }

  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
    await this.context.device.queue.onSubmittedWorkDone();
    this.throwUnreported(null);
  }

  memory(): MemoryStats {
    return { buffers: this.live, bytes: this.liveBytes };
  }

  /** Every buffer on the device, gpu.js's own (uniforms, uploads, staging, each kernel's last output) included. */
  deviceMemory(): MemoryStats {
    return { ...deviceCounts.get(this.context.device)! };
  }

  kernelClassOf(spec: KernelSpec, args: readonly (Data | number)[]): string {
    return this.compile(spec, args).kernel?.constructor.name ?? 'unknown';
  }

  fallbacks(): string[] {
    const out: string[] = [];
    for (const k of this.cache.values()) {
      const cls = k.kernel?.constructor.name;
      if (cls && cls !== KERNEL_CLASS.webgpu) out.push(`${cls}: ${k.kernelName}`);
    }
    return out;
  }

  destroy(): void {
    for (const k of this.cache.values()) k.destroy?.();
    this.cache.clear();
    this.gpu.destroy();
  }

  private compile(spec: KernelSpec, args: readonly (Data | number)[]): CompiledKernel {
    const key = `${spec.output}|${args.map(argSize).join(',')}|${spec.source}`;
    let kernel = this.cache.get(key);
    if (!kernel) {
      try {
        kernel = this.gpu.createKernel(spec.source as never, { ...kernelSettings(spec), pipeline: true, immutable: true } as never) as unknown as CompiledKernel;
      } catch (e) {
        throw new KernelError(spec.name, this.name, e);
      }
      kernel.kernelName = spec.name;
      this.cache.set(key, kernel);
      this.compiles++;
    }
    return kernel;
  }

  /** A DeviceBuffer for `launch`, counted while it lives and tracked until it settles. */
  private settledBuffer(length: number, name: string, launch: Promise<unknown>): DeviceBuffer {
    this.live++;
    this.liveBytes += length * 4;
    const buffer = new DeviceBuffer(this, length, name, launch, (handle) => {
      this.live--;
      this.liveBytes -= length * 4;
      (handle as Handle | null)?.delete();
    });
    const settled = buffer.settled.then(() => {
      this.pending.delete(settled);
      if (buffer.error && !this.unreported) this.unreported = buffer.error;
    });
    this.pending.add(settled);
    return buffer;
  }

  /** Profiling: one launch at a time, timed from launch until the device has finished it. */
  private timed(name: string, launch: () => Promise<Handle>): Promise<Handle> {
    const run = this.profileTail.then(async () => {
      const t0 = performance.now();
      const handle = await launch();
      await this.context.device.queue.onSubmittedWorkDone();
      const e = this.profile?.get(name) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      this.profile?.set(name, e);
      return handle;
    });
    this.profileTail = run.then(() => undefined, () => undefined);
    return run;
  }

  private async copyToHost(source: GpuBuffer, bytes: number): Promise<Float32Array> {
    const device = this.context.device;
    if (this.context.isLost) throw new Error('the WebGPU device was lost; its buffers hold no data any more');
    const staging = device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    try {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(source, 0, staging, 0, bytes);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(MAP_READ, 0, bytes);
      const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
      staging.unmap();
      return values;
    } finally {
      staging.destroy();
    }
  }

  /** Reject with the first failure not yet reported (other than `own`, which the caller reports). */
  private throwUnreported(own: Error | null): void {
    const e = this.unreported;
    if (!e) return;
    this.unreported = null;
    if (e !== own) throw e;
  }
}

/** Buffers alive on each device (one device is shared by every backend and gpu.js kernel). */
const deviceCounts = new WeakMap<GpuDevice, MemoryStats>();

/** Count every device buffer created and destroyed, whoever makes it (the memory test reads this). */
function countDeviceMemory(device: GpuDevice): void {
  if (deviceCounts.has(device)) return;
  const counts = { buffers: 0, bytes: 0 };
  deviceCounts.set(device, counts);
  const create = device.createBuffer.bind(device);
  device.createBuffer = (d) => {
    const buffer = create(d);
    counts.buffers++;
    counts.bytes += d.size;
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (!destroyed) {
        destroyed = true;
        counts.buffers--;
        counts.bytes -= d.size;
      }
      destroy();
    };
    return buffer;
  };
}
