/**
 * What every backend offers the layers above: run a named kernel, keep its
 * result where it was computed, read values back asynchronously.
 *
 * Two kinds of backend implement it. A host backend (webasm, cpu,
 * headlessgl: ./host-backend.ts) computes each kernel at once and its data
 * is a Float32Array. The webgpu backend (./webgpu-backend.ts) queues each
 * kernel on the device and hands back a DeviceBuffer at once; the values
 * exist on the device some time later and reach the host only through
 * `read()`. Code above this layer treats both alike: it passes `Data` from
 * kernel to kernel and awaits `read()` only for the numbers it reports.
 */
import type { DeviceBuffer } from './device-buffer.js';

export type BackendName = 'webgpu' | 'headlessgl' | 'webasm-threads' | 'webasm' | 'cpu';
export type ArgType = 'Array' | 'Integer' | 'Float';

/** A tensor's values: host memory on host backends, a device buffer on webgpu. */
export type Data = Float32Array | DeviceBuffer;

export interface KernelSpec {
  /** What the kernel computes and at which sizes ("matmul 197×768×3072"): errors and the profile use it. */
  name: string;
  /** A gpu.js kernel function as source text: `function(a, b) { ... return x; }`. */
  source: string;
  /**
   * Output cells (of 4 values each when `vec4`): a count for a 1-D kernel,
   * or [x, y, z] for a 3-D one (x fastest). The result is always flat.
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

/** Memory held by live results (queued backends: webgpu, webasm-threads); zero on host backends, whose arrays the garbage collector frees. */
export interface MemoryStats {
  buffers: number;
  bytes: number;
  /** The most `bytes` live at any moment since the backend was made or resetPeak() was called. */
  peakBytes: number;
}

export interface Backend {
  readonly name: BackendName;
  /** 'host': data is a Float32Array, ready when run() returns. 'device': data is a DeviceBuffer, ready later (webgpu, webasm-threads). */
  readonly residency: 'host' | 'device';
  readonly stats: BackendStats;
  /** Per-kernel time (ms) and calls by kernel name, while profiling is on (set to a Map to start). */
  profile: Map<string, { ms: number; calls: number }> | null;
  /**
   * Run a kernel on arrays and numbers. Returns its result at once: a fresh
   * Float32Array the caller owns (host), or a DeviceBuffer that the caller
   * owns one reference to (device; release() it when done).
   */
  run(spec: KernelSpec, args: readonly (Data | number)[]): Data;
  /** Put host values where this backend computes (no copy on host backends). */
  upload(values: Float32Array): Data;
  /** Copy values to the host. Rejects with the error of the kernel that should have written them, if it failed. */
  read(data: Data): Promise<Float32Array>;
  /** The values, synchronously: host backends only; webgpu throws and names the async call to use. */
  readSync(data: Data): Float32Array;
  /** Drop one reference to `data` (no-op for host arrays). */
  release(data: Data): void;
  /** Take one more reference to `data` (no-op for host arrays). */
  retain(data: Data): void;
  /** Wait until every kernel queued so far has been submitted; rejects with the first failure not yet reported. */
  flush(): Promise<void>;
  memory(): MemoryStats;
  /** Start `memory().peakBytes` over from the bytes live now. */
  resetPeak(): void;
  /** Kernels gpu.js silently ran on another backend than this one (it degrades unsupported kernels to cpu). */
  fallbacks(): string[];
  /** Which gpu.js kernel class compiled this spec (to catch silent cpu fallbacks). */
  kernelClassOf(spec: KernelSpec, args: readonly (Data | number)[]): string;
  destroy(): void;
}

/** The gpu.js kernel class each backend must end up with (anything else is a silent fallback). */
export const KERNEL_CLASS: Record<BackendName, string> = {
  webasm: 'WebAssemblyKernel', 'webasm-threads': 'WebAssemblyKernel', cpu: 'CPUKernel', headlessgl: 'HeadlessGLKernel', webgpu: 'WebGPUKernel',
};

/** Number of output cells of a spec. */
export function outputCells(spec: KernelSpec): number {
  return typeof spec.output === 'number' ? spec.output : spec.output[0] * spec.output[1] * spec.output[2];
}

/** The element count of a kernel argument, for the compile cache key ('s' for a number). */
export function argSize(a: { readonly length: number } | number): string {
  return typeof a === 'number' ? 's' : String(a.length);
}

/**
 * A kernel's error, naming the kernel and its sizes. `cause` is what
 * gpu.js or the device said.
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
