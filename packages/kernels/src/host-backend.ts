/**
 * A host backend (webasm, cpu, headlessgl): each kernel runs when it is
 * called and its result is a Float32Array in host memory, handed out as
 * this backend's data (HostData: the array and its backend).
 *
 * Kernels are generated as JavaScript source with their shapes baked in as
 * literals (constant loop bounds and divisors compile to tight WebAssembly),
 * compiled once per distinct source and cached (KernelCache, ./backend.ts). Every kernel has a 1-D
 * output; n-d structure lives in the index arithmetic of the source.
 */
import type { GPU } from 'gpu.js';
import { CompilingBackend, kernelSettings, outputCells, ownData, type Backend, type BackendName, type TensorData, type KernelSpec, type MemoryStats, type KernelArg, isData } from './backend.js';

export type CompiledKernel = ((...args: unknown[]) => unknown) & {
  kernel?: { constructor: { name: string }; fallbackReason?: string | null };
  destroy?: () => void;
};

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/**
 * gpu.js gives each webasm kernel a WebAssembly.Memory of its own, and a
 * browser's V8 sandbox (a 1 TiB address-space cage, about 8 GiB reserved per
 * 32-bit memory) holds only about 124 of them per process; a 64 px
 * explanation compiles about 170 kernels. So in the browser every kernel
 * that fits shares one memory: host kernels run one at a time, each writes
 * its arguments at the start of the memory, runs, and copies its output
 * out, so nothing is live in the memory between two calls. The shared
 * memory never grows (growing would detach the views gpu.js keeps of it);
 * a kernel needing more than SHARED_PAGES gets a private memory, as before.
 * (gpu.js 2.24.1 internals: kernels create their memory on their first call
 * with `new WebAssembly.Memory({ initial, maximum: max(initial, 4096) })`.)
 */
export const SHARED_PAGES = 1024; // 64 MiB
const MAX_PAGES = 4096;

class SharedWasmMemory {
  private readonly memory = new WebAssembly.Memory({ initial: SHARED_PAGES, maximum: MAX_PAGES });
  /** Kernels compiled with a private memory (too big to share). */
  privateMemories = 0;

  /** Run fn with `new WebAssembly.Memory(...)` handing out the shared memory wherever it fits. */
  during<T>(fn: () => T): T {
    const wasm = WebAssembly as unknown as { Memory: new (d: WebAssembly.MemoryDescriptor & { shared?: boolean }) => WebAssembly.Memory };
    const Native = wasm.Memory;
    const shared = this.memory;
    wasm.Memory = function (this: unknown, d: WebAssembly.MemoryDescriptor & { shared?: boolean }) {
      if (!d.shared && d.initial <= SHARED_PAGES && (d.maximum ?? 0) >= MAX_PAGES) return shared;
      sharedMemory!.privateMemories++;
      return new Native(d);
    } as unknown as typeof Native;
    try {
      return fn();
    } finally {
      wasm.Memory = Native;
    }
  }
}

let sharedMemory: SharedWasmMemory | null = null;

/**
 * A host backend's data: the Float32Array a kernel returned (or upload()
 * was given), its backend, and how many tensors hold it. The garbage
 * collector frees the array; the count feeds memory(), which therefore
 * also counts data whose tensors were collected without dispose() (no
 * finalizer is registered for host tensors: it would keep the array alive
 * one collection longer).
 */
class HostData implements TensorData {
  owners = 1;
  constructor(readonly backend: HostBackend, readonly values: Float32Array) {}
  get length(): number {
    return this.values.length;
  }
}

export class HostBackend extends CompilingBackend<CompiledKernel> implements Backend {
  readonly residency = 'host' as const;
  /** webasm in a browser: kernels share one WebAssembly.Memory (see SharedWasmMemory). */
  private readonly wasmMemory: SharedWasmMemory | null;
  /** Data with an owner left, their bytes, and the most bytes at once since resetPeak(). */
  private readonly live = { buffers: 0, bytes: 0, peakBytes: 0 };

  constructor(name: BackendName, gpu: GPU, limit = Infinity) {
    if (name === 'webgpu') throw new Error('internal: webgpu is a device backend (WebGPUBackend)');
    // how the kernel cache (./backend.ts) compiles a kernel
    super(name, gpu, (spec) => {
      const kernel = gpu.createKernel(spec.source as never, kernelSettings(spec) as never) as unknown as CompiledKernel;
      flatResults(kernel);
      return kernel;
    }, limit);
    this.wasmMemory = name === 'webasm' && !isNode ? (sharedMemory ??= new SharedWasmMemory()) : null;
  }

  /** Live compiled kernels at most (the least recently used is destroyed to make room). */
  get limit(): number {
    return this.kernels.limit;
  }

  /** Kernels that needed a WebAssembly memory of their own (browser webasm; larger than the shared one). */
  get privateMemories(): number {
    return this.wasmMemory?.privateMemories ?? 0;
  }

  /** Compile (or find) the kernel and call it now on the arrays behind `args`: its result is ready when this returns. */
  run(spec: KernelSpec, args: readonly KernelArg[]): TensorData {
    const cells = outputCells(spec);
    if (cells === 0) return this.own(new Float32Array(0));
    const arrays = args.map((a) => (isData(a) ? ownData<HostData>(this, a, spec.name).values : a));
    const kernel = this.kernels.get(spec, arrays);
    const result = this.kernels.call(spec.name, () => (this.wasmMemory ? this.wasmMemory.during(() => kernel(...arrays)) : kernel(...arrays)));
    return this.own(typeof spec.output === 'number' && !spec.vec4 ? result as Float32Array : flatten(result, cells * (spec.vec4 ? 4 : 1)));
  }

  /**
   * Run a kernel written outside gpu.js (webasm's SIMD matmul module,
   * ./wasm/gemm.ts) on the arrays behind its arguments, counted and profiled
   * under its name like the others.
   */
  runNative(name: string, args: readonly TensorData[], compute: (...arrays: Float32Array[]) => Float32Array): TensorData {
    const arrays = args.map((a) => ownData<HostData>(this, a, name).values);
    return this.own(this.kernels.call(name, () => compute(...arrays)));
  }

  upload(values: Float32Array): TensorData {
    return this.own(values);
  }

  read(data: TensorData): Promise<Float32Array> {
    try {
      return Promise.resolve(Float32Array.from(this.readSync(data)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The array itself (no copy): callers that keep or change it copy it first. */
  readSync(data: TensorData): Float32Array {
    return ownData<HostData>(this, data).values;
  }

  retain(data: TensorData): void {
    const d = ownData<HostData>(this, data);
    if (d.owners === 0) throw new Error(`internal: retain() of released host data (${d.length} values)`);
    d.owners++;
  }

  release(data: TensorData): void {
    const d = ownData<HostData>(this, data);
    if (d.owners === 0) throw new Error(`internal: release() of host data (${d.length} values) with no owner left`);
    if (--d.owners > 0) return;
    this.live.buffers--;
    this.live.bytes -= d.values.byteLength;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  memory(): MemoryStats {
    return { ...this.live };
  }

  resetPeak(): void {
    this.live.peakBytes = this.live.bytes;
  }

  /** `values` as this backend's data, with one owner: the caller. */
  private own(values: Float32Array): HostData {
    this.live.buffers++;
    this.live.bytes += values.byteLength;
    this.live.peakBytes = Math.max(this.live.peakBytes, this.live.bytes);
    return new HostData(this, values);
  }
}

/**
 * gpu.js's webasm kernel hands its flat result to `_shapeOutput`, which
 * builds nested arrays and one subarray view per Array(4) cell (a third of
 * a matmul's time, in garbage). maskgrad wants the flat array: return it as
 * is. (gpu.js 2.24.1 internals; other backends are left alone, and
 * `flatten` below copes with either shape.)
 */
export function flatResults(kernel: CompiledKernel): void {
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
export function flatten(result: unknown, length: number): Float32Array {
  if (result instanceof Float32Array && result.length === length) return result;
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
