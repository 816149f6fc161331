/**
 * A Backend owns one gpu.js `GPU` instance and every kernel compiled on it.
 *
 * Kernels are generated as JavaScript source with their shapes baked in as
 * literals (constant loop bounds and divisors compile to tight WebAssembly),
 * compiled once per distinct source and cached. Every kernel has a 1-D
 * output; n-d structure lives in the index arithmetic of the source.
 */
import { GPU } from 'gpu.js';

export type BackendName = 'webgpu' | 'headlessgl' | 'webasm' | 'cpu';
export type ArgType = 'Array' | 'Integer' | 'Float';

export interface KernelSpec {
  /** A gpu.js kernel function as source text: `function(a, b) { ... return x; }`. */
  source: string;
  /**
   * Output cells (of 4 values each when `vec4`): a count for a 1-D kernel,
   * or [x, y, z] for a 3-D one (x fastest). The result is always flat.
   */
  output: number | readonly [number, number, number];
  /** gpu.js argument types, in parameter order. */
  args: Record<string, ArgType>;
  /** The kernel returns `[x, y, z, w]` per cell (register blocking). */
  vec4?: boolean;
}

export interface BackendStats {
  kernelCalls: number;
  compiles: number;
  cachedKernels: number;
}

type CompiledKernel = ((...args: unknown[]) => unknown) & {
  kernel?: { constructor: { name: string }; fallbackReason?: string | null };
  destroy?: () => void;
};

/**
 * Each gpu.js webasm kernel owns a WebAssembly.Memory, and a browser's V8
 * sandbox (a 1 TiB address-space cage, about 8 GiB reserved per 32-bit
 * memory) holds only about 124 of them per process: past that,
 * `new WebAssembly.Memory` throws "could not allocate memory". Node has no
 * sandbox and no such limit.
 */
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
export const BROWSER_WEBASM_KERNEL_LIMIT = 100;

export class Backend {
  readonly name: BackendName;
  private readonly gpu: GPU;
  /** Compiled kernels, least recently used first when `limit` is finite. */
  private readonly cache = new Map<string, CompiledKernel>();
  /** Live compiled kernels at most; the least recently used is destroyed to make room. */
  readonly limit: number;
  private calls = 0;
  private compiles = 0;
  /** Per-kernel wall time (ms) and call counts, when profiling is on. */
  profile: Map<string, { ms: number; calls: number }> | null = null;

  constructor(name: BackendName, gpu: GPU, limit = name === 'webasm' && !isNode ? BROWSER_WEBASM_KERNEL_LIMIT : Infinity) {
    this.name = name;
    this.gpu = gpu;
    this.limit = limit;
  }

  get stats(): BackendStats {
    return { kernelCalls: this.calls, compiles: this.compiles, cachedKernels: this.cache.size };
  }

  /** Run a kernel synchronously; returns a fresh Float32Array the caller owns. */
  run(spec: KernelSpec, args: readonly (Float32Array | number)[]): Float32Array {
    const cells = typeof spec.output === 'number' ? spec.output : spec.output[0] * spec.output[1] * spec.output[2];
    if (cells === 0) return new Float32Array(0);
    const kernel = this.compile(spec, args);
    this.calls++;
    const t0 = this.profile ? performance.now() : 0;
    const result = kernel(...args);
    if (this.profile) {
      const name = spec.source.slice(0, 120).replace(/\s+/g, ' ');
      const e = this.profile.get(name) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      this.profile.set(name, e);
    }
    if (typeof spec.output === 'number' && !spec.vec4) return result as Float32Array;
    return flatten(result, cells * (spec.vec4 ? 4 : 1));
  }

  /** Which gpu.js kernel class actually ran the last compile (to catch silent cpu fallbacks). */
  kernelClassOf(spec: KernelSpec, args: readonly (Float32Array | number)[]): string {
    return this.compile(spec, args).kernel?.constructor.name ?? 'unknown';
  }

  /** One compiled kernel per source, output size and argument sizes (gpu.js fixes all three). */
  private compile(spec: KernelSpec, args: readonly (Float32Array | number)[]): CompiledKernel {
    const sizes = args.map((a) => (typeof a === 'number' ? 's' : a.length)).join(',');
    const key = `${spec.output}|${spec.vec4 ? 4 : 1}|${sizes}|${spec.source}`;
    const output = typeof spec.output === 'number' ? [spec.output] : [...spec.output];
    let kernel = this.cache.get(key);
    if (kernel && this.limit !== Infinity) {
      this.cache.delete(key); // now the most recently used
      this.cache.set(key, kernel);
    }
    if (!kernel) {
      if (this.cache.size >= this.limit) {
        const [oldest, old] = this.cache.entries().next().value!;
        this.cache.delete(oldest);
        old.destroy?.(); // frees its WebAssembly.Memory for the garbage collector
      }
      kernel = this.gpu.createKernel(spec.source as never, {
        output,
        argumentTypes: spec.args as never,
        returnType: spec.vec4 ? 'Array(4)' : 'Number',
        tactic: 'precision',
        precision: 'single',
        loopMaxIterations: 1 << 30,
        dynamicOutput: false,
        dynamicArguments: false,
      } as never) as unknown as CompiledKernel;
      flatResults(kernel);
      this.cache.set(key, kernel);
      this.compiles++;
    }
    return kernel;
  }

  /**
   * Kernels gpu.js silently ran on another backend (it degrades unsupported
   * kernels to cpu with only a console warning): the first line of each source.
   */
  fallbacks(): string[] {
    const expected: Record<BackendName, string> = {
      webasm: 'WebAssemblyKernel', cpu: 'CPUKernel', headlessgl: 'HeadlessGLKernel', webgpu: 'WebGPUKernel',
    };
    const out: string[] = [];
    for (const [key, k] of this.cache) {
      const cls = k.kernel?.constructor.name;
      if (cls && cls !== expected[this.name]) out.push(`${cls}: ${key.split('|').pop()!.split('\n').slice(0, 2).join(' ')}`);
    }
    return out;
  }

  /** Release every compiled kernel (and its WebAssembly memory). */
  destroy(): void {
    for (const k of this.cache.values()) k.destroy?.();
    this.cache.clear();
    this.gpu.destroy();
  }
}

/**
 * gpu.js's webasm kernel hands its flat result to `_shapeOutput`, which
 * builds nested arrays and one subarray view per Array(4) cell (a third of
 * a matmul's time, in garbage). maskgrad wants the flat array: return it as
 * is. (gpu.js 2.24.1 internals; other backends are left alone, and
 * `flatten` below copes with either shape.)
 */
function flatResults(kernel: CompiledKernel): void {
  const inner = kernel.kernel as unknown as { constructor: { name: string }; _shapeOutput?: (data: Float32Array) => unknown } | undefined;
  if (inner?.constructor.name === 'WebAssemblyKernel' && typeof inner._shapeOutput === 'function') {
    inner._shapeOutput = (data: Float32Array) => data;
  }
}

/**
 * gpu.js shapes n-d and Array(4) results as nested arrays whose leaves are
 * subarray views of one flat buffer (webasm); recover that buffer without
 * copying when the views are laid end to end, else copy leaf by leaf.
 */
function flatten(result: unknown, length: number): Float32Array {
  let first: unknown = result;
  while (Array.isArray(first)) first = first[0];
  const leaf = first as Float32Array;
  if (leaf.buffer.byteLength >= leaf.byteOffset + length * 4) {
    const flat = new Float32Array(leaf.buffer, leaf.byteOffset, length);
    if (isViewOf(result, flat)) return flat;
  }
  const out = new Float32Array(length);
  let at = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else {
      out.set(v as Float32Array, at);
      at += (v as Float32Array).length;
    }
  };
  walk(result);
  return out;
}

/** Spot-check that the last leaf sits where a flat layout puts it. */
function isViewOf(result: unknown, flat: Float32Array): boolean {
  let last: unknown = result;
  while (Array.isArray(last)) last = last[last.length - 1];
  const leaf = last as Float32Array;
  return leaf.buffer === flat.buffer && leaf.byteOffset + leaf.byteLength === flat.byteOffset + flat.byteLength;
}
