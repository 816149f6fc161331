/**
 * What a WebGPU adapter is: its name in words, and whether it is a
 * software one (a CPU emulating a GPU). `auto` skips a software adapter:
 * SwiftShader ran the default explanation 5× slower than webasm on the
 * same CPU (README, Backends), so it is a way to test WebGPU code, not to
 * run it. `--backend webgpu` still uses one.
 */

/** GPUAdapterInfo's fields (all optional: older browsers and Dawn releases lack some). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
  /** Why it is a software adapter (null: a hardware one, as far as it says). */
  software: string | null;
}

/** CPU implementations of Vulkan/WebGPU, by the names their drivers report. */
const SOFTWARE_NAMES = /swiftshader|lavapipe|llvmpipe|softpipe|microsoft basic render|\bwarp\b/i;

/** The adapter's vendor, architecture, description, and whether (and why) it is a software one. */
export function describeAdapter(adapter: { info?: AdapterInfoLike; isFallbackAdapter?: boolean }): AdapterDescription {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description ?? '';
  const names = [vendor, architecture, info.device ?? '', description].join(' ');
  const named = SOFTWARE_NAMES.exec(names);
  let software: string | null = null;
  if (named) software = `${named[0].toLowerCase()} is a CPU implementation of the GPU API`;
  else if (info.isFallbackAdapter || adapter.isFallbackAdapter) software = 'the browser or Dawn marks it as a fallback (software) adapter';
  return { vendor, architecture, description, software };
}

/** "google swiftshader (SwiftShader driver 5.0.0)": what `info` and the reports print. */
export function adapterName(d: AdapterDescription): string {
  const head = [d.vendor, d.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  return d.description && !head.includes(d.description) ? `${head} (${d.description})` : head;
}

/** Why `auto` passes a software adapter by (the probe's reason, and so info, result.json and report.html). */
export function softwareSkipReason(d: AdapterDescription): string {
  return `a software adapter (${adapterName(d)}: ${d.software}), slower than webasm on the same CPU; auto skips it, --backend webgpu uses it`;
}
