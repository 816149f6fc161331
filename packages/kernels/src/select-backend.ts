/**
 * Backend selection: webgpu → headlessgl → webasm → cpu, each probed for
 * real, with the reason in words when one is unavailable.
 */
import { GPU } from 'gpu.js';
import { Backend, type BackendName } from './backend.js';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'headlessgl', 'webasm', 'cpu'];

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable (or a note about how it runs). */
  reason: string;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** Explain a failure to load Dawn in words a user can act on. */
function webgpuReason(e: unknown): string {
  const msg = errorText(e);
  if (/GLIBCXX_3\.4\.3\d|GLIBC_2\.3[89]/.test(msg)) {
    return `the 'webgpu' package's Dawn binary needs glibc >= 2.38 (GLIBCXX_3.4.32); this system's C++ runtime is older (${msg})`;
  }
  if (/Cannot find (module|package)/.test(msg)) return `the 'webgpu' package is not installed (${msg})`;
  return `Dawn failed to load: ${msg}`;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/**
 * Ask for a real WebGPU adapter. In Node this loads the 'webgpu' package
 * (Dawn). Execution on WebGPU is asynchronous and needs the async kernel
 * queue, which this version of maskgrad does not have yet: an adapter that
 * answers is reported, but not selected.
 */
export async function probeWebGPU(): Promise<BackendProbe> {
  try {
    let gpuApi: { requestAdapter(): Promise<unknown> } | undefined =
      (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
    if (!gpuApi && isNode) {
      const mod = (await import(/* @vite-ignore */ 'webgpu' as string)) as {
        create: (opts: string[]) => { requestAdapter(): Promise<unknown> };
      };
      gpuApi = mod.create([]);
    }
    if (!gpuApi) return { name: 'webgpu', available: false, reason: 'navigator.gpu is absent in this runtime' };
    const adapter = await gpuApi.requestAdapter();
    if (!adapter) return { name: 'webgpu', available: false, reason: 'navigator.gpu answered, but no adapter was found' };
    return {
      name: 'webgpu',
      available: false,
      reason: 'a WebGPU adapter answered, but maskgrad runs kernels synchronously and gpu.js webgpu kernels are asynchronous; not selected',
    };
  } catch (e) {
    return { name: 'webgpu', available: false, reason: webgpuReason(e) };
  }
}

export function probeHeadlessGL(): BackendProbe {
  if (GPU.isHeadlessGLSupported) return { name: 'headlessgl', available: true, reason: 'the gl package created a context' };
  return {
    name: 'headlessgl',
    available: false,
    reason: isNode ? "the optional 'gl' package is not installed or cannot create a context (it needs X11/GL libraries)" : 'not in Node',
  };
}

export function probeWebAsm(): BackendProbe {
  if (!GPU.isWebAssemblySupported) return { name: 'webasm', available: false, reason: 'WebAssembly SIMD is not supported here' };
  try {
    const gpu = new GPU({ mode: 'webasm' });
    const k = gpu.createKernel(function (this: { thread: { x: number } }) {
      return this.thread.x * 2;
    }, { output: [8] });
    const r = k() as Float32Array;
    const cls = (k as unknown as { kernel: { constructor: { name: string } } }).kernel.constructor.name;
    gpu.destroy();
    if (r[3] !== 6) return { name: 'webasm', available: false, reason: 'a test kernel returned a wrong value' };
    if (cls !== 'WebAssemblyKernel') return { name: 'webasm', available: false, reason: `gpu.js fell back to ${cls}` };
    return { name: 'webasm', available: true, reason: 'WebAssembly with f32x4 SIMD' };
  } catch (e) {
    return { name: 'webasm', available: false, reason: errorText(e) };
  }
}

/** Probe every backend, in selection order. */
export async function probeBackends(): Promise<BackendProbe[]> {
  return [await probeWebGPU(), probeHeadlessGL(), probeWebAsm(), { name: 'cpu', available: true, reason: 'plain JavaScript' }];
}

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(s);
}

/** Create a backend by name; throws with the probe's reason when it cannot run here. */
export function createBackend(name: BackendName): Backend {
  if (name === 'webasm') {
    const p = probeWebAsm();
    if (!p.available) throw new Error(`backend 'webasm' is unavailable: ${p.reason}`);
  } else if (name === 'headlessgl') {
    const p = probeHeadlessGL();
    if (!p.available) throw new Error(`backend 'headlessgl' is unavailable: ${p.reason}`);
  } else if (name === 'webgpu') {
    throw new Error("backend 'webgpu' cannot be used synchronously by this version of maskgrad; use webasm or cpu");
  }
  return new Backend(name, new GPU({ mode: name }));
}

/**
 * Pick a backend: `requested` (or MASKGRAD_BACKEND) when given and not
 * 'auto', else the first of webasm → cpu that works. Returns the reasons
 * the better backends were skipped.
 */
export function selectBackend(requested?: string): { backend: Backend; skipped: BackendProbe[] } {
  const env = isNode ? process.env.MASKGRAD_BACKEND : undefined;
  const want = requested ?? env ?? 'auto';
  if (want !== 'auto') {
    if (!isBackendName(want)) {
      throw new Error(`unknown backend '${want}' (from ${requested ? 'the backend option' : 'MASKGRAD_BACKEND'}); use one of auto, ${BACKEND_ORDER.join(', ')}`);
    }
    return { backend: createBackend(want), skipped: [] };
  }
  const skipped: BackendProbe[] = [];
  const gl = probeHeadlessGL();
  if (gl.available) return { backend: new Backend('headlessgl', new GPU({ mode: 'headlessgl' })), skipped };
  skipped.push(gl);
  const wasm = probeWebAsm();
  if (wasm.available) return { backend: new Backend('webasm', new GPU({ mode: 'webasm' })), skipped };
  skipped.push(wasm);
  return { backend: new Backend('cpu', new GPU({ mode: 'cpu' })), skipped };
}
