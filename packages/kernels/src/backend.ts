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
  /** Number of output cells (of 4 values each when `vec4`). */
  output: number;
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

export class Backend {
  readonly name: BackendName;
  private readonly gpu: GPU;
  private readonly cache = new Map<string, CompiledKernel>();
  private calls = 0;
  private compiles = 0;

  constructor(name: BackendName, gpu: GPU) {
    this.name = name;
    this.gpu = gpu;
  }

  get stats(): BackendStats {
    return { kernelCalls: this.calls, compiles: this.compiles, cachedKernels: this.cache.size };
  }

  /** Run a kernel synchronously; returns a fresh Float32Array the caller owns. */
  run(spec: KernelSpec, args: readonly (Float32Array | number)[]): Float32Array {
    if (spec.output === 0) return new Float32Array(0);
    const kernel = this.compile(spec);
    this.calls++;
    const result = kernel(...args);
    return spec.vec4 ? flattenVec4(result, spec.output) : (result as Float32Array);
  }

  /** Which gpu.js kernel class actually ran the last compile (to catch silent cpu fallbacks). */
  kernelClassOf(spec: KernelSpec): string {
    return this.compile(spec).kernel?.constructor.name ?? 'unknown';
  }

  private compile(spec: KernelSpec): CompiledKernel {
    const key = `${spec.output}|${spec.vec4 ? 4 : 1}|${spec.source}`;
    let kernel = this.cache.get(key);
    if (!kernel) {
      kernel = this.gpu.createKernel(spec.source as never, {
        output: [spec.output],
        argumentTypes: spec.args as never,
        returnType: spec.vec4 ? 'Array(4)' : 'Number',
        tactic: 'precision',
        precision: 'single',
        loopMaxIterations: 1 << 30,
        dynamicOutput: false,
        dynamicArguments: false,
      } as never) as unknown as CompiledKernel;
      this.cache.set(key, kernel);
      this.compiles++;
    }
    return kernel;
  }

  /** Release every compiled kernel (and its WebAssembly memory). */
  destroy(): void {
    for (const k of this.cache.values()) k.destroy?.();
    this.cache.clear();
    this.gpu.destroy();
  }
}

/**
 * gpu.js returns an Array(4) kernel's 1-D result as one subarray view per
 * cell over a single flat buffer; recover that buffer without copying.
 */
function flattenVec4(result: unknown, cells: number): Float32Array {
  const rows = result as Float32Array[];
  const first = rows[0];
  const flat = new Float32Array(first.buffer, first.byteOffset, cells * 4);
  if (rows.length > 1 && rows[1].byteOffset !== first.byteOffset + 16) {
    const copy = new Float32Array(cells * 4);
    for (let i = 0; i < cells; i++) copy.set(rows[i], i * 4);
    return copy;
  }
  return flat;
}
