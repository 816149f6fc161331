/**
 * The dataflow queue the asynchronous backends (webgpu, webasm-threads)
 * compose: each result is a QueuedData handed back at once, and its
 * launch waits for the buffers it reads only (not a global lock). Every
 * result gets a buffer of its own, so a later kernel never overwrites what
 * an earlier one has yet to read. A failure is stored in the result and in
 * every result computed from it, and surfaces at the next await: read() or
 * flush(). The queue also counts the live buffers and their bytes (and the
 * peak since resetPeak()), and with profiling on runs launches one at a
 * time, each timed until the device has done the work.
 *
 * What a launch does on the device stays in the backend's own run()
 * (./webgpu-backend.ts, ./threads-backend.ts); this is the bookkeeping
 * around it.
 */
import { KernelError, isData, ownData, type Backend, type CachedKernel, type KernelArg, type KernelCache, type MemoryStats, type TensorData } from './backend.js';

/** What the queue needs of its backend's device. */
export interface QueueDevice {
  /** Give a finished buffer's device memory back. */
  free(handle: unknown): void;
  /** Resolves once everything submitted so far has been computed. */
  drain(): Promise<void>;
  /** Copy `length` floats of a settled buffer to the host. */
  copyOut(handle: unknown, length: number): Promise<Float32Array>;
}

export class DataflowQueue {
  private live = 0;
  private liveBytes = 0;
  private peak = 0;
  /** Launches not yet settled. */
  private readonly pending = new Set<Promise<void>>();
  /** The first failure nobody has been told about yet: the next read() or flush() rejects with it. */
  unreported: Error | null = null;
  /** With profiling on, launches run one at a time and each is timed until the work is done. */
  private profileTail: Promise<void> = Promise.resolve();

  constructor(
    private readonly backend: Backend,
    private readonly kernels: KernelCache<CachedKernel>,
    private readonly device: QueueDevice,
  ) {}

  /** The data among a kernel's arguments, checked to be this backend's own. */
  inputsOf(kernel: string, args: readonly KernelArg[]): QueuedData[] {
    return args.filter(isData).map((a) => ownData<QueuedData>(this.backend, a, kernel));
  }

  /**
   * Queue one kernel: `compute` runs once every input buffer has been
   * produced, with the arguments as device handles, and resolves with the
   * result's handle. Returns the result's buffer (`length` floats) at once.
   */
  launch(kernel: string, length: number, args: readonly KernelArg[], compute: (handles: unknown[]) => Promise<unknown>): QueuedData {
    const inputs = this.inputsOf(kernel, args);
    if (length === 0) return this.buffer(0, kernel, Promise.resolve(null));
    this.kernels.counted();
    for (const b of inputs) b.beginRead();
    const run = async (): Promise<unknown> => {
      const waiting = inputs.filter((b) => b.handle === null && b.error === null);
      if (waiting.length) await Promise.all(waiting.map((b) => b.settled));
      const failed = inputs.find((b) => b.error);
      if (failed) throw failed.error;
      const gone = inputs.find((b) => b.isFreed);
      if (gone) throw new Error(`internal: '${kernel}' read a freed buffer written by '${gone.kernel}'`);
      try {
        return await compute(args.map((a) => (isData(a) ? (a as QueuedData).handle : a)));
      } catch (e) {
        throw new KernelError(kernel, this.backend.name, e);
      } finally {
        for (const b of inputs) b.endRead();
      }
    };
    return this.buffer(length, kernel, this.kernels.profile ? this.timed(kernel, run) : run());
  }

  /** A buffer holding `handle` already (an upload). */
  settled(length: number, name: string, handle: unknown): QueuedData {
    return this.buffer(length, name, Promise.resolve(length === 0 ? null : handle));
  }

  async read(data: TensorData): Promise<Float32Array> {
    const own = ownData<QueuedData>(this.backend, data);
    own.retain(); // keep it until the copy is done, even if its tensor is disposed meanwhile
    try {
      await own.settled;
      this.throwUnreported(own.error);
      if (own.error) throw own.error;
      if (own.length === 0) return new Float32Array(0);
      const values = await this.device.copyOut(own.handle, own.length);
      this.throwUnreported(null);
      return values;
    } finally {
      own.release();
    }
  }

  readSync(data: TensorData): Float32Array {
    ownData(this.backend, data);
    throw new Error(`the values are computed asynchronously on ${this.backend.name}: read them with \`await tensor.data()\` (or \`await tensor.item()\`), not synchronously`);
  }

  retain(data: TensorData): void {
    ownData<QueuedData>(this.backend, data).retain();
  }

  release(data: TensorData): void {
    ownData<QueuedData>(this.backend, data).release();
  }

  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
    await this.device.drain();
    this.throwUnreported(null);
  }

  memory(): MemoryStats {
    return { buffers: this.live, bytes: this.liveBytes, peakBytes: this.peak };
  }

  /** Start the peak of live bytes over from what is live now. */
  resetPeak(): void {
    this.peak = this.liveBytes;
  }

  /** A QueuedData for `launch`, counted while it lives and tracked until it settles. */
  private buffer(length: number, name: string, launch: Promise<unknown>): QueuedData {
    this.live++;
    this.liveBytes += length * 4;
    this.peak = Math.max(this.peak, this.liveBytes);
    const buffer = new QueuedData(this.backend, length, name, launch, (handle) => {
      this.live--;
      this.liveBytes -= length * 4;
      if (handle !== null) this.device.free(handle);
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
      await this.device.drain();
      this.kernels.record(name, performance.now() - t0);
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

/**
 * The data of a queued backend, made by the queue above: a kernel result that
 * exists as soon as the kernel is queued. What holds the values (`handle`:
 * a device buffer on webgpu, a host array on webasm-threads) arrives once
 * the kernel has run or been submitted, and the values reach the caller
 * only through an explicit `backend.read()`.
 *
 * Lifetime is counted, not garbage-collected: `owners` are the tensors (or
 * kernel helpers) holding it, `pendingReads` the queued kernels that will
 * read it. The device memory is freed when both reach zero, so a tensor
 * disposed right after being passed to a kernel still feeds that kernel.
 */
export class QueuedData implements TensorData {
  /** Float32 values it holds. */
  readonly length: number;
  /** The kernel that writes it, for error messages. */
  readonly kernel: string;
  readonly backend: Backend;
  /** What holds the values, once the writing kernel has run or been submitted (the backend's own type). */
  handle: unknown = null;
  /** Why it holds no values: the writing kernel, or one whose result it read, failed. */
  error: Error | null = null;
  /** Resolves (never rejects) once the writing kernel was submitted or failed. */
  readonly settled: Promise<void>;
  private owners = 1;
  private pendingReads = 0;
  private freed = false;
  private done = false;

  constructor(backend: Backend, length: number, kernel: string, launch: Promise<unknown>, private readonly free: (handle: unknown) => void) {
    this.backend = backend;
    this.length = length;
    this.kernel = kernel;
    this.settled = launch.then(
      (handle) => { this.handle = handle; },
      (e: unknown) => { this.error = e instanceof Error ? e : new Error(String(e)); },
    ).then(() => {
      this.done = true;
      this.maybeFree();
    });
  }

  get isFreed(): boolean {
    return this.freed;
  }

  retain(): void {
    if (this.freed || this.owners === 0) throw new Error(`internal: retain() of a released device buffer (written by '${this.kernel}')`);
    this.owners++;
  }

  release(): void {
    if (this.owners === 0) throw new Error(`internal: release() of a device buffer (written by '${this.kernel}') with no owner left`);
    this.owners--;
    this.maybeFree();
  }

  /** A kernel that reads this buffer was queued; until it is submitted the buffer must stay. */
  beginRead(): void {
    if (this.owners === 0) throw new Error(`a kernel read a released device buffer (written by '${this.kernel}'): the tensor was disposed`);
    this.pendingReads++;
  }

  endRead(): void {
    this.pendingReads--;
    this.maybeFree();
  }

  private maybeFree(): void {
    if (this.freed || !this.done || this.owners > 0 || this.pendingReads > 0) return;
    this.freed = true;
    this.free(this.handle);
    this.handle = null;
  }
}
