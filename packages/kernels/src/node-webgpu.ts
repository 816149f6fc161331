/**
 * WebGPU in Node: the 'webgpu' package (Dawn's node binding), installed as
 * `navigator.gpu` so that gpu.js finds it as it would in a browser.
 *
 * Two adjustments Dawn needs (seen on the GPU machine; shared notes
 * gpu-js-in-node.md): its device rejects a plain function assigned to
 * `onuncapturederror` until the property is an own writable one, and the
 * process stays alive while `navigator` holds Dawn (closeNodeWebGPU()).
 * Its binary needs glibc >= 2.38: on older systems this reports why.
 */
const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export type NodeWebGPU = { ok: true } | { ok: false; reason: string };

let attempt: Promise<NodeWebGPU> | null = null;

/** Explain a failure to load Dawn in words a user can act on. */
function loadFailure(e: unknown): string {
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  if (/GLIBCXX_3\.4\.3\d|GLIBC_2\.3[89]/.test(msg)) {
    return `the 'webgpu' package's Dawn binary needs glibc >= 2.38 (GLIBCXX_3.4.32); this system's C++ runtime is older (${msg})`;
  }
  if (/Cannot find (module|package)/.test(msg)) return `the 'webgpu' package is not installed (${msg})`;
  return `Dawn (the 'webgpu' package) failed to load: ${msg}`;
}

type Adapter = { requestDevice(d?: unknown): Promise<object> } & Record<string, unknown>;
type Gpu = { requestAdapter(o?: unknown): Promise<Adapter | null> };

/** Load Dawn once and install it as globalThis.navigator.gpu (Node only). */
export function installNodeWebGPU(): Promise<NodeWebGPU> {
  if (!isNode) return Promise.resolve({ ok: false, reason: 'not in Node' });
  attempt ??= (async (): Promise<NodeWebGPU> => {
    try {
      const dawn = (await import(/* @vite-ignore */ 'webgpu' as string)) as { create(flags: string[]): Gpu; globals: object };
      const gpu = dawn.create([]);
      const requestAdapter = gpu.requestAdapter.bind(gpu);
      gpu.requestAdapter = async (o) => {
        const adapter = await requestAdapter(o);
        if (!adapter) return adapter;
        const requestDevice = adapter.requestDevice.bind(adapter);
        adapter.requestDevice = async (d) => {
          const device = await requestDevice(d);
          Object.defineProperty(device, 'onuncapturederror', { value: null, writable: true, configurable: true });
          return device;
        };
        return adapter;
      };
      for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
      const g = globalThis as { navigator?: { gpu?: Gpu } };
      if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
      else g.navigator = { gpu };
      return { ok: true };
    } catch (e) {
      return { ok: false, reason: loadFailure(e) };
    }
  })();
  return attempt;
}

/**
 * Let the process exit: Dawn keeps Node alive while navigator.gpu holds it.
 * Call once no more WebGPU work will be done (the CLI does at exit).
 */
export function closeNodeWebGPU(): void {
  if (!isNode || !attempt) return;
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator && 'gpu' in g.navigator) delete g.navigator.gpu;
}
