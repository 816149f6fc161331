/**
 * The WebGPU suite's page script: the parts (./parts.ts) reading fixtures
 * over HTTP (served at /fixtures/), left on window.suite for
 * tests/webgpu.test.ts to call.
 */
import { webgpuSuite, type WebGPUSuite } from './parts.js';

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
  return res;
}

declare global {
  interface Window {
    suite: WebGPUSuite;
  }
}

window.suite = webgpuSuite({
  bytes: async (path) => new Uint8Array(await (await fetchOk(`/fixtures/${path}`)).arrayBuffer()),
  json: async (path) => (await fetchOk(`/fixtures/${path}`)).json() as Promise<unknown>,
});
document.body.dataset.state = 'ready';
