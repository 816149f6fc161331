/**
 * WebGPU in Node: the 'webgpu' package (Dawn's node binding), installed as
 * `navigator.gpu` so that gpu.js finds it as it would in a browser.
 *
 * Two adjustments Dawn needs (seen on the GPU machine; shared notes
 * gpu-js-in-node.md): its device rejects a plain function assigned to
 * `onuncapturederror` until the property is an own writable one, and the
 * process stays alive while `navigator` holds Dawn (closeNodeWebGPU()).
 * On Linux Dawn runs on Vulkan: it dlopens libvulkan.so.1, which loads the
 * drivers (ICD files) it finds. When no adapter answers, noAdapterReason()
 * says which of those is missing, in words a user can act on.
 *
 * Dawn writes its warnings (a Vulkan driver it refuses, XDG_RUNTIME_DIR
 * unset) straight to the process's stderr, where JavaScript cannot catch
 * them. So `auto` first asks in a child process (probeDawnInChild), whose
 * stderr is discarded, and loads Dawn in this process only where that child
 * found a hardware adapter: a user on a machine without a GPU sees no Dawn
 * output from a command that then runs on webasm.
 */
const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export type NodeWebGPU = { ok: true } | { ok: false; reason: string };

let attempt: Promise<NodeWebGPU> | null = null;

/** The C library this Node runs on ("2.36"), or null where it is not glibc. */
function glibcVersion(): string | null {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ?? null;
}

/** Explain a failure to load Dawn in words a user can act on. */
function loadFailure(e: unknown): string {
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  const needs = /(GLIBC(?:XX)?_[\d.]+)' not found/.exec(msg);
  if (needs) {
    return `the 'webgpu' package's Dawn binary needs ${needs[1]}, newer than this system's (glibc ${glibcVersion() ?? 'unknown'}): `
      + `webgpu 0.6.2 (the version package.json pins) needs glibc >= 2.34; check that npm installed it (npm ls webgpu), or run on a newer distribution (${msg})`;
  }
  if (/Cannot find (module|package)/.test(msg)) return `the 'webgpu' package is not installed (npm install; it is an optional dependency) (${msg})`;
  return `Dawn (the 'webgpu' package) failed to load: ${msg}`;
}

type Fs = { existsSync(p: string): boolean; readdirSync(p: string): string[]; readFileSync(p: string): Uint8Array };

/** Where the Vulkan loader looks for drivers when VK_ICD_FILENAMES / VK_DRIVER_FILES are unset (Linux). */
function icdFolders(): string[] {
  const data = (process.env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  return [...new Set(['/etc/vulkan/icd.d', ...data.map((d) => `${d}/vulkan/icd.d`), '/usr/share/vulkan/icd.d'])];
}

/** Debian's chromium ships SwiftShader's Vulkan driver here: a software adapter, enough to run (and test) WebGPU without a GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Dawn answered with no adapter: say which part of Vulkan is missing (the
 * loader library, a driver) or that Dawn refused the drivers there are.
 */
export function noAdapterReason(): string {
  const fs = (process as { getBuiltinModule?(id: string): unknown }).getBuiltinModule?.('node:fs') as Fs | undefined;
  if (process.platform !== 'linux' || !fs) return 'Dawn found no WebGPU adapter (no GPU driver it can use)';
  const libDirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/usr/local/lib', '/usr/lib', '/lib'];
  const cached = fs.existsSync('/etc/ld.so.cache') && Buffer.from(fs.readFileSync('/etc/ld.so.cache')).includes('libvulkan.so.1');
  if (!cached && !libDirs.some((d) => fs.existsSync(`${d}/libvulkan.so.1`))) {
    return 'Dawn runs on Vulkan and libvulkan.so.1 (the Vulkan loader) is not installed: apt-get install libvulkan1 (Fedora/RHEL: dnf install vulkan-loader)';
  }
  const listed = process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES;
  const swiftshader = fs.existsSync(SWIFTSHADER_ICD)
    ? `; without a GPU, VK_ICD_FILENAMES=${SWIFTSHADER_ICD} gives a software adapter (for testing: slower than webasm)`
    : '; without a GPU, Debian\'s chromium package ships a software driver Dawn accepts (apt-get install chromium, then VK_ICD_FILENAMES=' + SWIFTSHADER_ICD + ')';
  if (listed) {
    const files = listed.split(':').filter(Boolean);
    const missing = files.filter((f) => !fs.existsSync(f));
    if (missing.length === files.length) return `no Vulkan driver: ${process.env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES'} lists ${files.join(', ')}, and none of those files exists`;
    return `Dawn refused the Vulkan driver(s) ${process.env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES'} names (${files.join(', ')}${missing.length ? `; missing: ${missing.join(', ')}` : ''}); Dawn's own warning on stderr says why${swiftshader}`;
  }
  const folders = icdFolders();
  const icds = folders.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => `${d}/${f}`) : []));
  if (!icds.length) return `no Vulkan driver: no ICD file in ${folders.join(', ')} (install your GPU's Vulkan driver, e.g. NVIDIA's, which puts nvidia_icd.json there${swiftshader})`;
  const lavapipe = icds.some((f) => /lvp_icd/.test(f)) ? ' (Mesa\'s lavapipe 22.x is refused: "Vulkan shaderUniform*ArrayDynamicIndexing required")' : '';
  return `Dawn refused every Vulkan driver found: ${icds.map((f) => f.split('/').pop()).join(', ')} in ${[...new Set(icds.map((f) => f.slice(0, f.lastIndexOf('/'))))].join(', ')}${lavapipe}${swiftshader}`;
}

/** What a child process found: Dawn's load error, or the adapter's info (null: none answered). */
export type DawnChildProbe = { loaded: false; reason: string } | { loaded: true; adapter: Record<string, unknown> | null };

/** The child's script: load Dawn from MASKGRAD_DAWN_URL, ask for an adapter, print one JSON line. */
const CHILD_PROBE = `
let out;
try {
  const { create } = await import(process.env.MASKGRAD_DAWN_URL);
  const a = await create([]).requestAdapter();
  const i = a?.info ?? {};
  out = { loaded: true, adapter: a ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter ?? a.isFallbackAdapter } : null };
} catch (e) {
  out = { loaded: false, error: String(e && e.message || e) };
}
process.stdout.write(JSON.stringify(out) + '\\n');
process.exit(0);
`;

/**
 * Load Dawn and ask for an adapter in a child Node process (about 0.3 s),
 * so that Dawn's stderr output stays there. null where that cannot be done
 * (not Node, or the child gave no answer): the caller probes in-process.
 * Asked once per process.
 */
export function probeDawnInChild(): DawnChildProbe | null {
  if (childProbe === undefined) childProbe = askChild();
  return childProbe;
}

/** The child's answer, once per process: drivers and devices do not change while it runs. */
let childProbe: DawnChildProbe | null | undefined;

function askChild(): DawnChildProbe | null {
  if (!isNode) return null;
  const builtin = (id: string) => (process as { getBuiltinModule?(id: string): unknown }).getBuiltinModule?.(id);
  const cp = builtin('node:child_process') as { spawnSync(cmd: string, args: string[], o: object): { stdout?: string; status: number | null } } | undefined;
  const mod = builtin('node:module') as { createRequire(from: string): { resolve(id: string): string } } | undefined;
  const url = builtin('node:url') as { pathToFileURL(p: string): URL } | undefined;
  if (!cp || !mod || !url) return null;
  let dawn: string;
  try {
    dawn = url.pathToFileURL(mod.createRequire(import.meta.url).resolve('webgpu')).href;
  } catch (e) {
    return { loaded: false, reason: loadFailure(e) };
  }
  const r = cp.spawnSync(process.execPath, ['--input-type=module', '-e', CHILD_PROBE], {
    encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, MASKGRAD_DAWN_URL: dawn },
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const j = JSON.parse(line) as { loaded: boolean; error?: string; adapter?: Record<string, unknown> | null };
    return j.loaded ? { loaded: true, adapter: j.adapter ?? null } : { loaded: false, reason: loadFailure(new Error(j.error)) };
  } catch {
    return null;
  }
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
 * Call once no more WebGPU work will be done (the CLI does at exit;
 * selectBackend does when auto passes WebGPU by).
 */
export function closeNodeWebGPU(): void {
  if (!isNode || !attempt) return;
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator && 'gpu' in g.navigator) delete g.navigator.gpu;
  attempt = null; // a later installNodeWebGPU() loads it again
}
