/**
 * The data of a queued backend (./dataflow-queue.ts): a kernel result that
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
import type { Backend, TensorData } from './backend.js';

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
