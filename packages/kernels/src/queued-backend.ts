/**
 * What the two asynchronous backends (webgpu: ./webgpu-backend.ts,
 * webasm-threads: ./threads-backend.ts) share, by composition: a kernel
 * cache (./kernel-cache.ts) and a dataflow queue (./dataflow-queue.ts).
 * This class only hands the Backend interface's calls to those two; each
 * backend writes its own run() and upload(), so the path from run() to a
 * launch on the device reads in that backend's file.
 */
import type { GPU } from 'gpu.js';
import { type Backend, type BackendName, type BackendStats, type TensorData, type KernelSpec, type MemoryStats, type KernelArg } from './backend.js';
import { DataflowQueue, type QueueDevice, type QueuedData } from './dataflow-queue.js';
import { KernelCache, type CachedKernel, type Profile } from './kernel-cache.js';

export abstract class QueuedBackend<K extends CachedKernel> implements Backend {
  readonly residency = 'device' as const;
  /** Compile once, count, profile, list fallbacks. */
  protected readonly kernels: KernelCache<K>;
  /** Results as QueuedData handles, launches ordered by the data they read. */
  protected readonly queue: DataflowQueue;

  protected constructor(readonly name: BackendName, protected readonly gpu: GPU, create: (spec: KernelSpec) => K, device: QueueDevice) {
    this.kernels = new KernelCache(name, create);
    this.queue = new DataflowQueue(this, this.kernels, device);
  }

  /** Queue a kernel; its result is a QueuedData at once, its values later. */
  abstract run(spec: KernelSpec, args: readonly KernelArg[]): QueuedData;
  abstract upload(values: Float32Array): QueuedData;

  read(data: TensorData): Promise<Float32Array> {
    return this.queue.read(data);
  }

  readSync(data: TensorData): Float32Array {
    return this.queue.readSync(data);
  }

  retain(data: TensorData): void {
    this.queue.retain(data);
  }

  release(data: TensorData): void {
    this.queue.release(data);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  memory(): MemoryStats {
    return this.queue.memory();
  }

  resetPeak(): void {
    this.queue.resetPeak();
  }

  get stats(): BackendStats {
    return this.kernels.stats;
  }

  get profile(): Profile | null {
    return this.kernels.profile;
  }

  set profile(p: Profile | null) {
    this.kernels.profile = p;
  }

  kernelClassOf(spec: KernelSpec, args: readonly KernelArg[]): string {
    return this.kernels.classOf(spec, args);
  }

  fallbacks(): string[] {
    return this.kernels.fallbacks();
  }

  destroy(): void {
    this.kernels.destroy();
    this.gpu.destroy();
  }
}
