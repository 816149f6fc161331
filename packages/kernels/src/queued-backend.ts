/**
 * What the two asynchronous backends (webgpu: ./webgpu-backend.ts, webasm-threads:
 * ./threads-backend.ts) share, by composition: a kernel cache (./backend.ts) and a dataflow queue
 * (./dataflow-queue.ts). This class only hands the Backend interface's calls to the queue (the
 * cache's are answered by CompilingBackend, ./backend.ts); each backend writes its own run() and
 * upload(), so the path from run() to a launch on the device reads in that backend's file.
 */
import type { GPU } from 'gpu.js';
import { CompilingBackend, type Backend, type BackendName, type CachedKernel, type TensorData, type KernelSpec, type MemoryStats, type KernelArg } from './backend.js';
import { DataflowQueue, type QueueDevice, type QueuedData } from './dataflow-queue.js';

export abstract class QueuedBackend<K extends CachedKernel> extends CompilingBackend<K> implements Backend {
  readonly residency = 'device' as const;
  /** Results as QueuedData handles, launches ordered by the data they read. */
  protected readonly queue: DataflowQueue;

  /** `create` compiles a kernel for the kernel cache (./backend.ts). */
  protected constructor(name: BackendName, gpu: GPU, create: (spec: KernelSpec) => K, device: QueueDevice) {
    super(name, gpu, create);
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
}
