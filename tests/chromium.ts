/**
 * Headless Chromium for the browser tests: Debian's chromium package, driven
 * by playwright-core with executablePath (.ci/run installs it when missing).
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** Fails the test (never skips it) where Chromium is missing. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install -y chromium; CI installs it)`);
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * With WebGPU: on a machine without a GPU, Chromium's SwiftShader (a CPU
 * Vulkan driver) provides the adapter; pages must be served from
 * http://127.0.0.1 (a secure context) to see navigator.gpu.
 */
export const CHROMIUM_WEBGPU_ARGS = [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'];
