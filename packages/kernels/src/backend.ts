/**
 * What every backend offers the layers above: run a named kernel, keep its result where it was
 * computed, read values back asynchronously.
 *
 * A tensor's values are a `TensorData`: an opaque handle made and owned by the backend that
 * computed it, which is the only one that can read it. Two kinds of backend implement the
 * interface. A host backend (webasm, cpu, headlessgl: ./host-backend.ts) computes each kernel at
 * once; its handle wraps a Float32Array. The queued backends (webgpu: ./webgpu-backend.ts,
 * webasm-threads: ./threads-backend.ts) queue each kernel and hand back a handle at once
 * (QueuedData in ./dataflow-queue.ts, counted by references); the values exist some time later and
 * reach the host only through `read()`. Code above this layer treats both alike: it passes handles
 * from kernel to kernel and awaits `read()` only for the numbers it reports. Below the interface:
 * the kernel cache every backend composes.
 */
import type { GPU } from 'gpu.js';

export type BackendName = 'webgpu' | 'headlessgl' | 'webasm-threads' | 'webasm' | 'cpu';
export type ArgType = 'Array' | 'Integer' | 'Float';

/**
 * A tensor's values, as the backend that made them keeps them: its `backend` runs kernels on it,
 * reads it (`backend.read`) and counts its references (`retain`/`release`). Nothing else looks
 * inside.
 */
export interface TensorData {
  readonly backend: Backend;
  /** How many float32 values it holds. */
  readonly length: number;
}

/**
 * A kernel argument: this backend's data, a number, or a constant table of host values the kernel
 * reads as they are (gather indices, layer norm's per-row offsets): gpu.js copies such a table in
 * with the call.
 */
export type KernelArg = TensorData | Float32Array | number;

/** The backend data among a kernel's arguments (not numbers, not constant tables). */
export function isData(a: KernelArg): a is TensorData {
  return typeof a !== 'number' && !(a instanceof Float32Array);
}

export interface KernelSpec {
  /** What the kernel computes and at which sizes ("matmul 197×768×3072"): errors and the profile use it. */
  name: string;
  /** A gpu.js kernel function as source text: `function(a, b) { ... return x; }`. */
  source: string;
  /**
   * Output cells (of 4 values each when `vec4`): a count for a 1-D kernel, or [x, y, z] for a 3-D
   * one (x fastest). The result is always flat.
   */
  output: number | readonly [number, number, number];
  /** gpu.js argument types, in parameter order. */
  args: Record<string, ArgType>;
  /** The kernel returns `[x, y, z, w]` per cell (register blocking; host backends only). */
  vec4?: boolean;
}

export interface BackendStats {
  kernelCalls: number;
  compiles: number;
  cachedKernels: number;
}

/** Data with an owner left (a tensor, or a kernel still to read it) and their bytes: what `release()` has not given back yet. */
export interface MemoryStats {
  buffers: number;
  bytes: number;
  /** The most `bytes` live at any moment since the backend was made or resetPeak() was called. */
  peakBytes: number;
}

export interface Backend {
  readonly name: BackendName;
  /** 'host': data is ready when run() returns (webasm, cpu, headlessgl). 'device': data is ready later (webgpu, webasm-threads). */
  readonly residency: 'host' | 'device';
  readonly stats: BackendStats;
  /** Per-kernel time (ms) and calls by kernel name, while profiling is on (set to a Map to start). */
  profile: Profile | null;
  /**
   * Run a kernel on this backend's data and numbers. Returns its result at once, of which the
   * caller owns one reference (release() it when done; a no-op on host backends, whose arrays the
   * garbage collector frees).
   */
  run(spec: KernelSpec, args: readonly KernelArg[]): TensorData;
  /** Put host values where this backend computes, as its data (no copy on host backends). */
  upload(values: Float32Array): TensorData;
  /** Copy values to the host. Rejects with the error of the kernel that should have written them, if it failed. */
  read(data: TensorData): Promise<Float32Array>;
  /** The values, synchronously: host backends only; webgpu throws and names the async call to use. */
  readSync(data: TensorData): Float32Array;
  /** Drop one reference to `data` (no-op on host backends). */
  release(data: TensorData): void;
  /** Take one more reference to `data` (no-op on host backends). */
  retain(data: TensorData): void;
  /** Wait until every kernel queued so far has been submitted; rejects with the first failure not yet reported. */
  flush(): Promise<void>;
  memory(): MemoryStats;
  /** Start `memory().peakBytes` over from the bytes live now. */
  resetPeak(): void;
  /** Kernels gpu.js silently ran on another backend than this one (it degrades unsupported kernels to cpu). */
  fallbacks(): string[];
  /** Which gpu.js kernel class compiled this spec (to catch silent cpu fallbacks). */
  kernelClassOf(spec: KernelSpec, args: readonly KernelArg[]): string;
  destroy(): void;
}

/** The gpu.js kernel class each backend must end up with (anything else is a silent fallback). */
export const KERNEL_CLASS: Record<BackendName, string> = {
  webasm: 'WebAssemblyKernel', 'webasm-threads': 'WebAssemblyKernel', cpu: 'CPUKernel', headlessgl: 'HeadlessGLKernel', webgpu: 'WebGPUKernel',
};

/**
 * `data` as `backend`'s own handle type, after checking that `backend` made it; else an error
 * naming both backends (and the kernel that wanted it).
 */
export function ownData<T extends TensorData>(backend: Backend, data: TensorData, kernel?: string): T {
  if (data.backend !== backend) {
    throw new Error(`${kernel ? `kernel '${kernel}': an argument` : 'these values'} live${kernel ? 's' : ''} on ${data.backend.name}, not on this ${backend.name} backend; move the tensor with await t.toBackend(backend)`);
  }
  return data as T;
}

/** Number of output cells of a spec. */
export function outputCells(spec: KernelSpec): number {
  return typeof spec.output === 'number' ? spec.output : spec.output[0] * spec.output[1] * spec.output[2];
}

/**
 * A kernel's error, naming the kernel and its sizes. `cause` is what gpu.js or the device said.
 */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(readonly kernel: string, readonly backend: BackendName, cause: unknown) {
    super(`kernel '${kernel}' failed on ${backend}: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, { cause });
  }
}

/** gpu.js settings shared by every backend: single precision, fixed sizes, loops as long as the source says. */
export function kernelSettings(spec: KernelSpec): Record<string, unknown> {
  return {
    output: typeof spec.output === 'number' ? [spec.output] : [...spec.output],
    argumentTypes: spec.args,
    returnType: spec.vec4 ? 'Array(4)' : 'Number',
    tactic: 'precision',
    precision: 'single',
    loopMaxIterations: 1 << 30,
    dynamicOutput: false,
    dynamicArguments: false,
  };
}

/** What the cache needs of a compiled kernel: gpu.js's kernel object (for its class) and a way to free it. */
export interface CachedKernel {
  kernel?: { constructor: { name: string } };
  destroy?: () => void;
}

/** Per-kernel time (ms) and calls by kernel name. */
export type Profile = Map<string, { ms: number; calls: number }>;

/**
 * The kernel cache every backend composes (through CompilingBackend, below): compile a gpu.js
 * kernel once per source and sizes, count calls and compiles, time kernels while profiling is on,
 * list silent fallbacks, destroy what it compiled. gpu.js fixes a kernel's output and argument
 * sizes when it compiles, so those are part of the key. A finite `limit` keeps the cache
 * least-recently-used first and destroys the oldest kernel to make room (a browser holds only so
 * many WebAssembly memories: ./host-backend.ts). How a kernel is created and launched stays with
 * each backend.
 */
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

  /** The compiled kernel for `spec` at these argument sizes ('s' for a number): from the cache, or compiled now (a failure names the kernel). */
  get(spec: KernelSpec, args: readonly ({ length: number } | number)[]): K {
    const key = `${spec.output}|${spec.vec4 ? 4 : 1}|${args.map((a) => (typeof a === 'number' ? 's' : a.length)).join(',')}|${spec.source}`;
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
   * Run a synchronous launch: counted, timed while profiling, and a failure rethrown as a
   * KernelError naming the kernel.
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

/**
 * What every backend shares, by composition: its KernelCache, and the Backend members that only
 * report on it or free it. It has no part in running a kernel: each backend writes its own run(),
 * so the path from run() to a launch reads in that backend's file (./host-backend.ts,
 * ./webgpu-backend.ts, ./threads-backend.ts).
 */
export abstract class CompilingBackend<K extends CachedKernel> {
  protected readonly kernels: KernelCache<K>;

  /** `create` compiles a kernel for the cache; `limit`: live compiled kernels at most (KernelCache). */
  protected constructor(readonly name: BackendName, protected readonly gpu: GPU, create: (spec: KernelSpec) => K, limit = Infinity) {
    this.kernels = new KernelCache(name, create, limit);
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

  /** Release every compiled kernel (and the WebAssembly memory each holds), then gpu.js's own resources. */
  destroy(): void {
    this.kernels.destroy();
    this.gpu.destroy();
  }
}
