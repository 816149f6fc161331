/**
 * Backend selection: webgpu → headlessgl → webasm → cpu, each probed for
 * real, with the reason in words when one is unavailable; webasm-threads
 * (gpu.js's worker pool) when asked for by name.
 *
 * WebGPU can only be probed asynchronously (an adapter request), so there
 * are two entry points: `selectBackend` (async, considers every backend)
 * and `selectHostBackend` (sync, host backends only, for code that creates
 * tensors before anything was awaited).
 */
import { GPU } from 'gpu.js';
import type { Backend, BackendName } from './backend.js';
import { HostBackend } from './host-backend.js';
import { closeNodeWebGPU, installNodeWebGPU, noAdapterReason, probeDawnInChild } from './node-webgpu.js';
import { ThreadsBackend, threadsSupported } from './threads-backend.js';
import { adapterName, describeAdapter, softwareSkipReason, type AdapterDescription, type AdapterInfoLike } from './webgpu-adapter.js';
import { WebGPUBackend } from './webgpu-backend.js';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'headlessgl', 'webasm', 'cpu'];
/** Chosen by name only: on 2 shared cores its worker dispatch cost more than it saved (README, Backends). */
export const OPT_IN_BACKENDS: readonly BackendName[] = ['webasm-threads'];

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable (or a note about how it runs). */
  reason: string;
  /** webgpu: the adapter that answered (software: auto skips it). */
  adapter?: AdapterDescription;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

interface GpuApi { requestAdapter(): Promise<{ info?: AdapterInfoLike; isFallbackAdapter?: boolean } | null> }

/**
 * Ask for a real WebGPU adapter: the browser's navigator.gpu, or in Node
 * the 'webgpu' package (Dawn), installed as navigator.gpu when it loads.
 * `isolated` (Node): ask in a child process first, and load Dawn here only
 * for a hardware adapter (./node-webgpu.ts says why).
 */
export async function probeWebGPU(options: { isolated?: boolean } = {}): Promise<BackendProbe> {
  try {
    let api = (globalThis as { navigator?: { gpu?: GpuApi } }).navigator?.gpu;
    if (!api && isNode && options.isolated) {
      const child = probeDawnInChild();
      if (child && !child.loaded) return { name: 'webgpu', available: false, reason: child.reason };
      if (child && !child.adapter) return { name: 'webgpu', available: false, reason: noAdapterReason() };
      const described = child?.adapter ? describeAdapter({ info: child.adapter as AdapterInfoLike }) : null;
      if (described?.software) return { name: 'webgpu', available: true, adapter: described, reason: softwareSkipReason(described) };
    }
    if (!api && isNode) {
      const installed = await installNodeWebGPU();
      if (!installed.ok) return { name: 'webgpu', available: false, reason: installed.reason };
      api = (globalThis as unknown as { navigator: { gpu: GpuApi } }).navigator.gpu;
    }
    if (!api) return { name: 'webgpu', available: false, reason: 'navigator.gpu is absent in this runtime (WebGPU needs a secure context: https or http://127.0.0.1)' };
    const adapter = await api.requestAdapter();
    if (!adapter) return { name: 'webgpu', available: false, reason: isNode ? noAdapterReason() : 'navigator.gpu answered, but no adapter was found' };
    const described = describeAdapter(adapter);
    return {
      name: 'webgpu', available: true, adapter: described,
      reason: described.software ? softwareSkipReason(described) : `a WebGPU adapter answered (${adapterName(described)})`,
    };
  } catch (e) {
    return { name: 'webgpu', available: false, reason: `WebGPU failed to start: ${errorText(e)}` };
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

let webAsmProbe: BackendProbe | null = null;

export function probeWebAsm(): BackendProbe {
  webAsmProbe ??= probeWebAsmOnce();
  return webAsmProbe;
}

function probeWebAsmOnce(): BackendProbe {
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

const CPU_PROBE: BackendProbe = { name: 'cpu', available: true, reason: 'plain JavaScript' };

/** WebAssembly kernels split across gpu.js's worker pool: needs WebAssembly and shared memory (Node, or a cross-origin-isolated page). */
export function probeWebAsmThreads(): BackendProbe {
  const wasm = probeWebAsm();
  if (!wasm.available) return { name: 'webasm-threads', available: false, reason: wasm.reason };
  if (!threadsSupported()) {
    return { name: 'webasm-threads', available: false, reason: 'worker threads need SharedArrayBuffer (in a browser: a cross-origin-isolated page, COOP/COEP headers)' };
  }
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : undefined;
  return { name: 'webasm-threads', available: true, reason: `WebAssembly with f32x4 SIMD on gpu.js's worker pool${cores ? ` (${cores} cores)` : ''}` };
}

/** Probe every backend, in selection order (the opt-in ones after). */
export async function probeBackends(): Promise<BackendProbe[]> {
  const gpu = await probeWebGPU({ isolated: true });
  closeNodeWebGPU();
  return [gpu, probeHeadlessGL(), probeWebAsm(), CPU_PROBE, probeWebAsmThreads()];
}

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(s) || (OPT_IN_BACKENDS as readonly string[]).includes(s);
}

type HostName = Exclude<BackendName, 'webgpu' | 'webasm-threads'>;

function hostProbe(name: HostName): BackendProbe {
  return name === 'webasm' ? probeWebAsm() : name === 'headlessgl' ? probeHeadlessGL() : CPU_PROBE;
}

/** Create a host backend by name; throws with the probe's reason when it cannot run here. */
export function createHostBackend(name: HostName): HostBackend {
  const p = hostProbe(name);
  if (!p.available) throw new Error(`backend '${name}' is unavailable: ${p.reason}`);
  return new HostBackend(name, new GPU({ mode: name }));
}

/** Create any backend by name; throws with the probe's reason when it cannot run here. */
export async function createBackend(name: BackendName): Promise<Backend> {
  if (name === 'webasm-threads') {
    const p = probeWebAsmThreads();
    if (!p.available) throw new Error(`backend 'webasm-threads' is unavailable: ${p.reason}`);
    return new ThreadsBackend();
  }
  if (name !== 'webgpu') return createHostBackend(name);
  const p = await probeWebGPU();
  if (!p.available) throw new Error(`backend 'webgpu' is unavailable: ${p.reason}`);
  return WebGPUBackend.create();
}

function requestedName(requested: string | undefined): string {
  const env = isNode ? process.env.MASKGRAD_BACKEND : undefined;
  const want = requested ?? env ?? 'auto';
  if (want !== 'auto' && !isBackendName(want)) {
    throw new Error(`unknown backend '${want}' (from ${requested ? 'the backend option' : 'MASKGRAD_BACKEND'}); use one of auto, ${[...BACKEND_ORDER, ...OPT_IN_BACKENDS].join(', ')}`);
  }
  return want;
}

export interface Selection {
  backend: Backend;
  /** The better backends that were not chosen, each with the reason. */
  skipped: BackendProbe[];
  /** Why the chosen one: asked for by name, or the first available. */
  reason: string;
}

/**
 * Pick a backend: `requested` (or MASKGRAD_BACKEND) when given and not
 * 'auto', else the first of webgpu → headlessgl → webasm → cpu that works,
 * where webgpu counts only on a hardware adapter (./webgpu-adapter.ts).
 */
export async function selectBackend(requested?: string): Promise<Selection> {
  const want = requestedName(requested);
  if (want !== 'auto') return { backend: await createBackend(want as BackendName), skipped: [], reason: `asked for by name (${requested ? 'backend option' : 'MASKGRAD_BACKEND'})` };
  const gpu = await probeWebGPU({ isolated: true });
  if (gpu.available && !gpu.adapter?.software) {
    try {
      return { backend: await WebGPUBackend.create(), skipped: [], reason: gpu.reason };
    } catch (e) {
      gpu.available = false;
      gpu.reason = `an adapter answered, but the device could not be created: ${errorText(e)}`;
    }
  }
  closeNodeWebGPU(); // Dawn, loaded to ask, would keep the Node process alive
  const host = selectHostBackend('auto');
  return { ...host, skipped: [gpu, ...host.skipped] };
}

/**
 * Pick a host backend synchronously (webgpu cannot be probed without
 * awaiting): `requested` or MASKGRAD_BACKEND by name, else the first of
 * headlessgl → webasm → cpu that works.
 */
export function selectHostBackend(requested?: string): Selection {
  const want = requestedName(requested);
  if (want === 'webgpu' || want === 'webasm-threads') throw new Error(`backend '${want}' runs asynchronously and must be chosen so: await setBackend('${want}')`);
  if (want !== 'auto') return { backend: createHostBackend(want as HostName), skipped: [], reason: 'asked for by name' };
  const skipped: BackendProbe[] = [];
  for (const name of ['headlessgl', 'webasm'] as const) {
    const p = hostProbe(name);
    if (p.available) return { backend: new HostBackend(name, new GPU({ mode: name })), skipped, reason: p.reason };
    skipped.push(p);
  }
  return { backend: new HostBackend('cpu', new GPU({ mode: 'cpu' })), skipped, reason: CPU_PROBE.reason };
}
