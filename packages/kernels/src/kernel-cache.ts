/**
 * The kernel cache every backend composes: compile a gpu.js kernel once per
 * source and sizes, count calls and compiles, time kernels while profiling
 * is on, list silent fallbacks, destroy what it compiled.
 *
 * gpu.js fixes a kernel's output size and its argument sizes when it
 * compiles, so the key is source + output + argument sizes. A finite
 * `limit` keeps the cache least-recently-used first and destroys the oldest
 * kernel to make room (a browser holds only so many WebAssembly memories:
 * ./host-backend.ts). How a kernel is created and launched stays with each
 * backend; this is the bookkeeping they share.
 */
import { KERNEL_CLASS, KernelError, argSize, type BackendName, type BackendStats, type KernelSpec } from './backend.js';

/** What the cache needs of a compiled kernel: gpu.js's kernel object (for its class) and a way to free it. */
export interface CachedKernel {
  kernel?: { constructor: { name: string } };
  destroy?: () => void;
}

/** Per-kernel time (ms) and calls by kernel name. */
export type Profile = Map<string, { ms: number; calls: number }>;

export class KernelCache<K extends CachedKernel> {
  /** Compiled kernels by key, least recently used first when `limit` is finite. */
  private readonly kernels = new Map<string, { kernel: K; name: string }>();
  private calls = 0;
  private compiles = 0;
  /** Per-kernel time and calls while profiling is on (set to a Map to start). */
  profile: Profile | null = null;

  constructor(
    private readonly backend: BackendName,
    private readonly create: (spec: KernelSpec) => K,
    /** Live compiled kernels at most; the least recently used is destroyed to make room. */
    readonly limit = Infinity,
  ) {}

  get stats(): BackendStats {
    return { kernelCalls: this.calls, compiles: this.compiles, cachedKernels: this.kernels.size };
  }

  /** The compiled kernel for `spec` at these argument sizes: from the cache, or compiled now (a failure names the kernel). */
  get(spec: KernelSpec, args: readonly ({ length: number } | number)[]): K {
    const key = `${spec.output}|${spec.vec4 ? 4 : 1}|${args.map(argSize).join(',')}|${spec.source}`;
    const hit = this.kernels.get(key);
    if (hit) {
      if (this.limit !== Infinity) {
        this.kernels.delete(key); // now the most recently used
        this.kernels.set(key, hit);
      }
      return hit.kernel;
    }
    if (this.kernels.size >= this.limit) {
      const [oldest, old] = this.kernels.entries().next().value!;
      this.kernels.delete(oldest);
      old.kernel.destroy?.(); // frees its WebAssembly.Memory for the garbage collector
    }
    let kernel: K;
    try {
      kernel = this.create(spec);
    } catch (e) {
      throw new KernelError(spec.name, this.backend, e);
    }
    this.kernels.set(key, { kernel, name: spec.name });
    this.compiles++;
    return kernel;
  }

  /** Count one launch of a kernel. */
  counted(): void {
    this.calls++;
  }

  /** Add `ms` to the kernel's profile entry (profiling on only). */
  record(name: string, ms: number): void {
    if (!this.profile) return;
    const e = this.profile.get(name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    this.profile.set(name, e);
  }

  /**
   * Run a synchronous launch: counted, timed while profiling, and a failure
   * rethrown as a KernelError naming the kernel.
   */
  call<T>(name: string, launch: () => T): T {
    this.calls++;
    const t0 = this.profile ? performance.now() : 0;
    let result: T;
    try {
      result = launch();
    } catch (e) {
      throw new KernelError(name, this.backend, e);
    }
    if (this.profile) this.record(name, performance.now() - t0);
    return result;
  }

  /** Which gpu.js kernel class compiled `spec` (to catch silent fallbacks). */
  classOf(spec: KernelSpec, args: readonly ({ length: number } | number)[]): string {
    return this.get(spec, args).kernel?.constructor.name ?? 'unknown';
  }

  /** Kernels gpu.js compiled for another backend than this one ("CPUKernel: matmul 4×4×4"). */
  fallbacks(): string[] {
    const out: string[] = [];
    for (const { kernel, name } of this.kernels.values()) {
      const cls = kernel.kernel?.constructor.name;
      if (cls && cls !== KERNEL_CLASS[this.backend]) out.push(`${cls}: ${name}`);
    }
    return out;
  }

  /** Destroy every compiled kernel (and the WebAssembly memory each holds). */
  destroy(): void {
    for (const { kernel } of this.kernels.values()) kernel.destroy?.();
    this.kernels.clear();
  }
}
