/**
 * What the asynchronous backends share: run() hands back a DeviceBuffer at
 * once and launches the gpu.js kernel as soon as the buffers it reads have
 * been produced. The queue is dataflow, not a global lock: a kernel waits
 * for its inputs only, and every result gets a buffer of its own, so a later
 * kernel never overwrites what an earlier one has yet to read. A failure is
 * stored in the result and in every result computed from it, and surfaces
 * at the next await: read() or flush().
 *
 * Two backends are built on it: webgpu (./webgpu-backend.ts: device
 * buffers) and webasm-threads (./threads-backend.ts: host arrays computed
 * by gpu.js's WebAssembly worker pool).
 */
import type { GPU } from 'gpu.js';
import {
  KERNEL_CLASS, KernelError, argSize, outputCells,
  type Backend, type BackendName, type BackendStats, type Data, type KernelSpec, type MemoryStats,
} from './backend.js';
import { DeviceBuffer } from './device-buffer.js';

export type QueuedKernel = ((...args: unknown[]) => Promise<unknown>) & {
  kernel?: { constructor: { name: string } }; destroy?: () => void; kernelName?: string;
};

export abstract class QueuedBackend implements Backend {
  abstract readonly name: BackendName;
  readonly residency = 'device' as const;
  protected readonly gpu: GPU;
  protected readonly cache = new Map<string, QueuedKernel>();
  private calls = 0;
  private compiles = 0;
  private live = 0;
  private liveBytes = 0;
  private peakBytes = 0;
  /** Launches not yet settled. */
  private readonly pending = new Set<Promise<void>>();
  /** The first failure nobody has been told about yet: the next read() or flush() rejects with it. */
  protected unreported: Error | null = null;
  profile: Map<string, { ms: number; calls: number }> | null = null;
  /** With profiling on, launches run one at a time and each is timed until the work is done. */
  private profileTail: Promise<void> = Promise.resolve();

  protected constructor(gpu: GPU) {
    this.gpu = gpu;
  }

  /** gpu.js's kernel for `spec`, with this backend's settings. */
  protected abstract createKernel(spec: KernelSpec): QueuedKernel;
  /** Limits of this backend a spec must respect (throws naming the kernel). */
  protected abstract check(spec: KernelSpec, args: readonly (Data | number)[]): void;
  /** The kernel's raw result as this backend's handle. */
  protected abstract toHandle(raw: unknown, spec: KernelSpec): unknown;
  protected abstract uploadHandle(values: Float32Array): unknown;
  protected abstract copyOut(handle: unknown, length: number): Promise<Float32Array>;
  protected abstract freeHandle(handle: unknown): void;
  /** Resolves once everything submitted so far has been computed. */
  protected abstract drain(): Promise<void>;

  get stats(): BackendStats {
    return { kernelCalls: this.calls, compiles: this.compiles, cachedKernels: this.cache.size };
  }

  run(spec: KernelSpec, args: readonly (Data | number)[]): DeviceBuffer {
    this.check(spec, args);
    const inputs = args.filter((a): a is DeviceBuffer => a instanceof DeviceBuffer);
    for (const b of inputs) {
      if (b.backend !== this) throw new Error(`kernel '${spec.name}': an argument lives on another backend (${b.backend.name}); move it with toBackend()`);
    }
    const cells = outputCells(spec);
    if (cells === 0) return this.settledBuffer(0, spec.name, Promise.resolve(null));
    this.calls++;
    const kernel = this.compile(spec, args);
    for (const b of inputs) b.beginRead();
    const launch = async (): Promise<unknown> => {
      const waiting = inputs.filter((b) => b.handle === null && b.error === null);
      if (waiting.length) await Promise.all(waiting.map((b) => b.settled));
      const failed = inputs.find((b) => b.error);
      if (failed) throw failed.error;
      const gone = inputs.find((b) => b.isFreed);
      if (gone) throw new Error(`internal: '${spec.name}' read a freed buffer written by '${gone.kernel}'`);
      try {
        return this.toHandle(await kernel(...args.map((a) => (a instanceof DeviceBuffer ? a.handle : a))), spec);
      } catch (e) {
        throw new KernelError(spec.name, this.name, e);
      } finally {
        for (const b of inputs) b.endRead();
      }
    };
    return this.settledBuffer(cells * (spec.vec4 ? 4 : 1), spec.name, this.profile ? this.timed(spec.name, launch) : launch());
  }

  upload(values: Float32Array): DeviceBuffer {
    if (values.length === 0) return this.settledBuffer(0, 'upload', Promise.resolve(null));
    return this.settledBuffer(values.length, `upload ${values.length}`, Promise.resolve(this.uploadHandle(values)));
  }

  async read(data: Data): Promise<Float32Array> {
    if (!(data instanceof DeviceBuffer)) return Float32Array.from(data);
    if (data.backend !== this) throw new Error(`these values live on ${data.backend.name}, not on ${this.name}`);
    data.retain(); // keep it until the copy is done, even if its tensor is disposed meanwhile
    try {
      await data.settled;
      this.throwUnreported(data.error);
      if (data.error) throw data.error;
      if (data.length === 0) return new Float32Array(0);
      const values = await this.copyOut(data.handle, data.length);
      this.throwUnreported(null);
      return values;
    } finally {
      data.release();
    }
  }

  readSync(data: Data): Float32Array {
    if (data instanceof DeviceBuffer) {
      throw new Error(`the values are computed asynchronously on ${this.name}: read them with \`await tensor.data()\` (or \`await tensor.item()\`), not synchronously`);
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
    await this.drain();
    this.throwUnreported(null);
  }

  memory(): MemoryStats {
    return { buffers: this.live, bytes: this.liveBytes, peakBytes: this.peakBytes };
  }

  resetPeak(): void {
    this.peakBytes = this.liveBytes;
  }

  kernelClassOf(spec: KernelSpec, args: readonly (Data | number)[]): string {
    return this.compile(spec, args).kernel?.constructor.name ?? 'unknown';
  }

  fallbacks(): string[] {
    const out: string[] = [];
    for (const k of this.cache.values()) {
      const cls = k.kernel?.constructor.name;
      if (cls && cls !== KERNEL_CLASS[this.name]) out.push(`${cls}: ${k.kernelName}`);
    }
    return out;
  }

  destroy(): void {
    for (const k of this.cache.values()) k.destroy?.();
    this.cache.clear();
    this.gpu.destroy();
  }

  private compile(spec: KernelSpec, args: readonly (Data | number)[]): QueuedKernel {
    const key = `${spec.output}|${spec.vec4 ? 4 : 1}|${args.map(argSize).join(',')}|${spec.source}`;
    let kernel = this.cache.get(key);
    if (!kernel) {
      try {
        kernel = this.createKernel(spec);
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
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes);
    const buffer = new DeviceBuffer(this, length, name, launch, (handle) => {
      this.live--;
      this.liveBytes -= length * 4;
      if (handle !== null) this.freeHandle(handle);
    });
    const settled = buffer.settled.then(() => {
      this.pending.delete(settled);
      if (buffer.error && !this.unreported) this.unreported = buffer.error;
    });
    this.pending.add(settled);
    return buffer;
  }

  /** Profiling: one launch at a time, timed from launch until the work is done. */
  private timed(name: string, launch: () => Promise<unknown>): Promise<unknown> {
    const run = this.profileTail.then(async () => {
      const t0 = performance.now();
      const handle = await launch();
      await this.drain();
      const e = this.profile?.get(name) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      this.profile?.set(name, e);
      return handle;
    });
    this.profileTail = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Reject with the first failure not yet reported (other than `own`, which the caller reports). */
  private throwUnreported(own: Error | null): void {
    const e = this.unreported;
    if (!e) return;
    this.unreported = null;
    if (e !== own) throw e;
  }
}
