/**
 * maskgrad on WebGPU, tested on every machine: headless Chromium with
 * --enable-unsafe-webgpu exposes a WebGPU adapter through SwiftShader (a
 * CPU Vulkan driver), so a CI machine without a GPU still runs every WebGPU
 * kernel. tests/webgpu/suite.ts runs in the page (served from 127.0.0.1, a
 * secure context); this file drives it and asserts.
 *
 * Tolerances: the kernel cases and gradcheck carry their own (the same as
 * on webasm, except where WGSL's arithmetic is allowed to differ, stated in
 * kernel-cases.ts). ViT parity: logits within 1e-3 of PyTorch and an
 * input-gradient cosine ≥ 0.999 (the bounds for WebGPU). The
 * explainer: mask mean |Δ| ≤ 1e-3 against webasm in Node on the same
 * pixels, and PyTorch's reference masks within the tolerances the Node
 * parity test uses (tests/reference-run.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@maskgrad/autograd';
import { loadModel, readImageFile, readSafetensorsFile } from '@maskgrad/models/node';
import { explainBatch, type ExplainOptions } from '@maskgrad/perturb';
import { serve, type Serving } from '../examples/browser/serve.mjs';
import { CHROMIUM, CHROMIUM_WEBGPU_ARGS, requireChromium } from './chromium.js';
import { fixture, maxAbsDiff, meanAbsDiff, pearson } from './fixtures.js';
import { REFERENCE_RUN, REFERENCE_TOLERANCE as TOL } from './reference-run.js';
import type {} from './webgpu/suite.js'; // declares window.suite

const HERE = fileURLToPath(new URL('./webgpu/', import.meta.url));
const src = (p: string) => fileURLToPath(new URL(`../packages/${p}`, import.meta.url));

let serving: Serving | undefined;
let context: BrowserContext | undefined;
let page: Page;
let profile: string | undefined;
const errors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return; // each test fails, saying what to install
  await build({
    entryPoints: [join(HERE, 'suite.ts')], outfile: join(HERE, 'dist', 'suite.js'), bundle: true, platform: 'browser', format: 'esm',
    target: 'es2022', logLevel: 'warning', external: ['webgpu'],
    alias: {
      ...Object.fromEntries(['kernels', 'autograd', 'models', 'perturb'].map((p) => [`@maskgrad/${p}`, src(`${p}/src/index.ts`)])),
      '@maskgrad/kernels/testing': src('kernels/src/testing.ts'),
    },
  });
  serving = await serve({ port: 0, roots: { '/webgpu/': HERE } });
  profile = mkdtempSync(join(tmpdir(), 'maskgrad-webgpu-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_WEBGPU_ARGS });
  page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(`${serving.url}webgpu/index.html`);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await serving?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Explain fixture images (by index) with `options` on WebGPU in the page and on webasm in Node. */
async function explainBothWays(indices: number[], options: ExplainOptions) {
  const images = indices.map((i) => readImageFile(fixture(`shapes-vit-hf/images/img${i}.png`)));
  const gpu = await page.evaluate(([imgs, o]) => window.suite.explainImages('shapes-vit-hf', imgs, o),
    [images.map((im) => ({ width: im.width, height: im.height, data: Array.from(im.data) })), options] as const);
  expect(gpu.backend).toBe('webgpu');
  await setBackend('webasm');
  const model = loadModel(fixture('shapes-vit-hf'));
  return { gpu, node: await explainBatch(model, model.pixels(images), options) };
}

describe('maskgrad on WebGPU (Chromium, SwiftShader)', () => {
  it('selects the webgpu backend on the adapter Chromium offers', async () => {
    requireChromium();
    const info = await page.evaluate(() => window.suite.init());
    expect(info.backend).toBe('webgpu');
    expect(info.adapter).not.toBe('unknown adapter');
    console.log(`webgpu adapter: ${info.adapter}`);
  });

  it('every kernel matches its TypeScript reference', async () => {
    const checks = await page.evaluate(() => window.suite.kernels());
    expect(checks.length).toBeGreaterThan(50);
    const failed = checks.filter((c) => !(c.error <= c.bound));
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
  }, 300_000);

  it('every differentiable op passes gradcheck', async () => {
    const results = await page.evaluate(() => window.suite.gradchecks());
    expect(results.length).toBeGreaterThan(30);
    const failed = results.filter((r) => !r.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
  }, 300_000);

  it.each(['vit-tiny-hf-bf16', 'vit-tiny-timm-f16'])('%s: logits within 1e-3 of PyTorch, input-gradient cosine ≥ 0.999', async (name) => {
    const r = await page.evaluate((n) => window.suite.vitParity(n), name);
    console.log(`${name} on webgpu: logits max |Δ| ${r.logitsMaxDiff.toExponential(2)}, gradient cosine ${r.gradCosine.toFixed(6)}, ${r.seconds.toFixed(1)} s`);
    expect(r.logitsMaxDiff).toBeLessThanOrEqual(1e-3);
    expect(r.gradCosine).toBeGreaterThanOrEqual(0.999);
  }, 300_000);

  it('explains the 8 fixture images like webasm (mask mean |Δ| ≤ 1e-3) and like PyTorch (the Node parity tolerances)', async () => {
    const { gpu, node } = await explainBothWays([0, 1, 2, 3, 4, 5, 6, 7], { ...REFERENCE_RUN, maskNoise: 0 });
    const ref = readSafetensorsFile(fixture('shapes-vit-hf/reference.safetensors'));
    const report: string[] = [];
    gpu.masks.forEach((mask, i) => {
      const vsNode = meanAbsDiff(mask, node[i].mask.values);
      const want = ref.read(`mask_img${i}`);
      const hist = ref.read(`history_img${i}`);
      const probs = gpu.histories[i].map(([, p]) => p);
      const losses = gpu.histories[i].map(([l]) => l);
      report.push(`img${i}: vs webasm ${vsNode.toExponential(2)}, vs PyTorch mean |Δ| ${meanAbsDiff(mask, want).toExponential(2)} r ${pearson(mask, want).toFixed(5)}`);
      expect(vsNode, `img${i} vs webasm`).toBeLessThanOrEqual(1e-3);
      expect(meanAbsDiff(mask, want), `img${i} vs PyTorch`).toBeLessThanOrEqual(TOL.maskMeanAbs);
      expect(pearson(mask, want), `img${i} vs PyTorch`).toBeGreaterThanOrEqual(TOL.maskPearson);
      expect(maxAbsDiff(probs, Array.from({ length: 100 }, (_, k) => hist[k * 2 + 1])), `img${i} probabilities`).toBeLessThanOrEqual(TOL.history);
      expect(maxAbsDiff(losses, Array.from({ length: 100 }, (_, k) => hist[k * 2])), `img${i} losses`).toBeLessThanOrEqual(TOL.history);
    });
    console.log(`explainer on webgpu, 8 images × 100 iterations in ${gpu.seconds.toFixed(1)} s\n  ${report.join('\n  ')}`);
  }, 600_000);

  /*
   * The extremal perturbation is compared over 3 iterations only: its optimization amplifies
   * last-bit differences (Adam steps ±lr wherever a cell's gradient is tiny, and the area term's
   * sort breaks ties by index), so two host backends whose arithmetic differs by ~1e-7 (webasm and
   * cpu) are measured 1.7e-4 apart (mask mean |Δ|) after 3 iterations but 2.6e-2 after 4 and 1.1e-2
   * after 20 on fixture img1; WebGPU against webasm measured 4.1e-4 and 1.1e-3 after 3. Two
   * iterations (forward, backward, Adam step, twice, then the final measure) run every kernel of
   * the method on WebGPU.
   */
  it('explains 2 fixture images by the extremal perturbation (the default method), 2 iterations, like webasm (mask mean |Δ| ≤ 1e-3)', async () => {
    const { gpu, node } = await explainBothWays([1, 6], { method: 'extremal', iterations: 2, areas: [0.1, 0.3] });
    const diffs = gpu.masks.map((mask, i) => meanAbsDiff(mask, node[i].mask.values));
    const probs = gpu.histories.map((h, i) => maxAbsDiff(h.map(([, p]) => p), node[i].history.map((e) => e.probability)));
    console.log(`extremal on webgpu, 2 images × 2 areas × 2 iterations in ${gpu.seconds.toFixed(1)} s; vs webasm mask mean |Δ| ${diffs.map((d) => d.toExponential(2)).join(', ')}, probabilities max |Δ| ${probs.map((d) => d.toExponential(2)).join(', ')}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-3);
    for (const d of probs) expect(d).toBeLessThanOrEqual(1e-3);
  }, 600_000);

  it('device memory stays flat over 200 extremal iterations too (sort, smooth max-pool, blur pyramid)', async () => {
    const m = await page.evaluate(() => window.suite.memory(200, 'extremal'));
    const span = (v: number[]) => Math.max(...v.slice(10)) - Math.min(...v.slice(10));
    console.log(`200 extremal iterations in ${m.seconds.toFixed(1)} s; live tensor buffers ${m.tensors[10]}, device buffers ${m.device[10]}`);
    expect(m.tensors).toHaveLength(200);
    for (const v of [m.tensors, m.tensorBytes, m.device, m.deviceBytes]) expect(span(v)).toBe(0);
  }, 600_000);

  it('device memory stays flat over 1000 explainer iterations (live tensors and every device buffer)', async () => {
    const m = await page.evaluate(() => window.suite.memory(1000));
    expect(m.tensors).toHaveLength(1000);
    const span = (v: number[]) => Math.max(...v) - Math.min(...v);
    const settled = (v: number[]) => v.slice(10); // the first iterations compile kernels (each keeps its buffers)
    const where = (v: number[]) => v.findIndex((x, i) => i >= 10 && x !== v[10]);
    console.log(`changes after iteration 10 at: tensors ${where(m.tensors)} (${m.tensors[10]} → ${Math.min(...m.tensors.slice(10))}..${Math.max(...m.tensors.slice(10))}), device ${where(m.device)} (${m.device[10]} → ${Math.min(...m.device.slice(10))}..${Math.max(...m.device.slice(10))})`);
    console.log(`1000 iterations in ${m.seconds.toFixed(1)} s; live tensor buffers ${m.tensors[10]}, device buffers ${m.device[10]} (${(m.deviceBytes[10] / 1024).toFixed(0)} KiB)`);
    expect(span(settled(m.tensors))).toBe(0);
    expect(span(settled(m.tensorBytes))).toBe(0);
    expect(span(settled(m.device))).toBe(0);
    expect(span(settled(m.deviceBytes))).toBe(0);
  }, 600_000);

  it('a kernel that fails surfaces at the next await, naming it; the queue goes on', async () => {
    const r = await page.evaluate(() => window.suite.failingKernel());
    expect(r.message).toMatch(/kernel 'broken \[3\]' failed on webgpu/);
    expect(r.afterwards).toEqual([2, 4, 6]);
  });

  it('refuses synchronous reads naming the async call, refuses mixing backends, and ran no kernel on a fallback', async () => {
    const r = await page.evaluate(() => window.suite.contract());
    expect(r.syncError).toMatch(/await tensor\.data\(\)/);
    expect(r.mixError).toMatch(/different backends \(webgpu and cpu\)/);
    expect(r.fallbacks).toEqual([]);
    expect(r.item).toBe(6);
  });

  it('logged no errors in the page', () => {
    expect(errors.filter((e) => !/broken \[3\]|undefinedFunction/.test(e))).toEqual([]);
  });
});
