/**
 * What the WebGPU suite checks, wherever it runs: in headless Chromium
 * (tests/webgpu.test.ts) and in Node on Dawn (tests/webgpu-node.test.ts),
 * both on SwiftShader's Vulkan where there is no GPU. `call` runs one of
 * the suite's parts (./parts.ts) there; the assertions run here.
 *
 * Tolerances: the kernel cases and gradcheck carry their own (the same as
 * on webasm, except where WGSL's arithmetic is allowed to differ, stated in
 * kernel-cases.ts). ViT parity: logits within 1e-3 of PyTorch and an
 * input-gradient cosine ≥ 0.999 (the issue's bounds for WebGPU). The
 * explainer: mask mean |Δ| ≤ 1e-3 against webasm in Node on the same
 * pixels, and PyTorch's reference masks within the tolerances the Node
 * parity test uses (tests/reference-run.ts).
 */
import { expect, it } from 'vitest';
import { setBackend } from '@maskgrad/autograd';
import { loadModel, readImageFile, readSafetensorsFile } from '@maskgrad/models/node';
import { explainBatch, type ExplainOptions } from '@maskgrad/perturb';
import { fixture, maxAbsDiff, meanAbsDiff, pearson } from '../fixtures.js';
import { REFERENCE_RUN, REFERENCE_TOLERANCE as TOL } from '../reference-run.js';
import type { WebGPUSuite } from './parts.js';

/** Runs one part of the suite where the suite lives (the page, or this process). */
export type SuiteCall = <K extends keyof WebGPUSuite>(part: K, ...args: Parameters<WebGPUSuite[K]>) => ReturnType<WebGPUSuite[K]>;

export interface CheckScale {
  /** Fixture images the meaningful explainer is compared on (of 8). */
  explainImages: number[];
  /**
   * The meaningful explainer's iterations on them: 100 compares with PyTorch's reference run too
   * (masks and the loss and probability histories); fewer, with webasm only.
   */
  explainIterations: number;
  /** Explainer iterations the memory tests count over: the meaningful and the extremal method. */
  memoryIterations: number;
  extremalMemoryIterations: number;
  /** The ViT fixtures compared with PyTorch (logits and input gradient at 224 px). */
  vitFixtures: string[];
  /** Runs before the first check (e.g. fails saying what to install). */
  require?: () => void;
}

/** The checks, as `it` blocks in the caller's describe. */
export function webgpuChecks(call: SuiteCall, scale: CheckScale): void {
  /** Explain fixture images (by index) with `options` on WebGPU in the page and on webasm in Node. */
  async function explainBothWays(indices: number[], options: ExplainOptions) {
    const images = indices.map((i) => readImageFile(fixture(`shapes-vit-hf/images/img${i}.png`)));
    const gpu = await call('explainImages', 'shapes-vit-hf', images.map((im) => ({ width: im.width, height: im.height, data: Array.from(im.data) })), options);
    expect(gpu.backend).toBe('webgpu');
    await setBackend('webasm');
    const model = loadModel(fixture('shapes-vit-hf'));
    return { gpu, node: await explainBatch(model, model.pixels(images), options) };
  }

  it('selects the webgpu backend on the adapter Chromium offers', async () => {
    scale.require?.();
    const info = await call('init');
    expect(info.backend).toBe('webgpu');
    expect(info.adapter).not.toBe('unknown adapter');
    console.log(`webgpu adapter: ${info.adapter}`);
  });

  it('every kernel matches its TypeScript reference', async () => {
    const checks = await call('kernels');
    expect(checks.length).toBeGreaterThan(50);
    const failed = checks.filter((c) => !(c.error <= c.bound));
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
  }, 300_000);

  it('every differentiable op passes gradcheck', async () => {
    const results = await call('gradchecks');
    expect(results.length).toBeGreaterThan(30);
    const failed = results.filter((r) => !r.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
  }, 300_000);

  it.each(scale.vitFixtures)('%s: logits within 1e-3 of PyTorch, input-gradient cosine ≥ 0.999', async (name) => {
    const r = await call('vitParity', name);
    console.log(`${name} on webgpu: logits max |Δ| ${r.logitsMaxDiff.toExponential(2)}, gradient cosine ${r.gradCosine.toFixed(6)}, ${r.seconds.toFixed(1)} s`);
    expect(r.logitsMaxDiff).toBeLessThanOrEqual(1e-3);
    expect(r.gradCosine).toBeGreaterThanOrEqual(0.999);
  }, 300_000);

  it(`explains ${scale.explainImages.length} fixture image(s), ${scale.explainIterations} iterations, like webasm (mask mean |Δ| ≤ 1e-3)${scale.explainIterations === REFERENCE_RUN.iterations ? ' and like PyTorch (the Node parity tolerances)' : ''}`, async () => {
    const { gpu, node } = await explainBothWays(scale.explainImages, { ...REFERENCE_RUN, maskNoise: 0, iterations: scale.explainIterations });
    const vsPyTorch = scale.explainIterations === REFERENCE_RUN.iterations;
    const ref = readSafetensorsFile(fixture('shapes-vit-hf/reference.safetensors'));
    const report: string[] = [];
    gpu.masks.forEach((mask, i) => {
      const n = scale.explainImages[i]; // the fixture image's number
      const vsNode = meanAbsDiff(mask, node[i].mask.values);
      expect(vsNode, `img${n} vs webasm`).toBeLessThanOrEqual(1e-3);
      if (!vsPyTorch) {
        report.push(`img${n}: vs webasm ${vsNode.toExponential(2)}`);
        return;
      }
      const want = ref.read(`mask_img${n}`);
      const hist = ref.read(`history_img${n}`);
      const probs = gpu.histories[i].map(([, p]) => p);
      const losses = gpu.histories[i].map(([l]) => l);
      report.push(`img${n}: vs webasm ${vsNode.toExponential(2)}, vs PyTorch mean |Δ| ${meanAbsDiff(mask, want).toExponential(2)} r ${pearson(mask, want).toFixed(5)}`);
      expect(meanAbsDiff(mask, want), `img${n} vs PyTorch`).toBeLessThanOrEqual(TOL.maskMeanAbs);
      expect(pearson(mask, want), `img${n} vs PyTorch`).toBeGreaterThanOrEqual(TOL.maskPearson);
      expect(maxAbsDiff(probs, Array.from({ length: 100 }, (_, k) => hist[k * 2 + 1])), `img${n} probabilities`).toBeLessThanOrEqual(TOL.history);
      expect(maxAbsDiff(losses, Array.from({ length: 100 }, (_, k) => hist[k * 2])), `img${n} losses`).toBeLessThanOrEqual(TOL.history);
    });
    console.log(`explainer on webgpu, ${gpu.masks.length} image(s) × ${scale.explainIterations} iterations in ${gpu.seconds.toFixed(1)} s\n  ${report.join('\n  ')}`);
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

  /*
   * Live tensor buffers are counted exactly from the first iteration on: everything an iteration
   * (or the set-up before the loop) makes is disposed by it, so the count cannot depend on when
   * the garbage collector runs; `collected` (tensors the collector freed during the run) must be
   * 0. Device buffers (the reuse pool's and gpu.js's included) settle once every kernel has been
   * compiled and the pool holds an iteration's worth: from iteration 10 on they are flat too.
   */
  const exactly = (m: Awaited<ReturnType<WebGPUSuite['memory']>>, label: string) => {
    const span = (v: number[]) => Math.max(...v) - Math.min(...v);
    const settled = (v: number[]) => v.slice(10);
    const where = (v: number[], from: number) => v.findIndex((x, i) => i >= from && x !== v[from]);
    console.log(`${label} in ${m.seconds.toFixed(1)} s; live tensor buffers ${m.tensors[0]} (changes at ${where(m.tensors, 0)}), device buffers ${m.device[10]} (${(m.deviceBytes[10] / 1024).toFixed(0)} KiB; changes after iteration 10 at ${where(m.device, 10)}); freed by the collector: ${m.collected}${m.collected ? ` (last: ${m.lastCollected})` : ''}`);
    expect(m.collected, `tensors left to the garbage collector (last: ${m.lastCollected})`).toBe(0);
    expect(span(m.tensors)).toBe(0);
    expect(span(m.tensorBytes)).toBe(0);
    expect(span(settled(m.device))).toBe(0);
    expect(span(settled(m.deviceBytes))).toBe(0);
  };

  it(`device memory stays flat over ${scale.extremalMemoryIterations} extremal iterations too (sort, smooth max-pool, blur pyramid)`, async () => {
    const m = await call('memory', scale.extremalMemoryIterations, 'extremal');
    expect(m.tensors).toHaveLength(scale.extremalMemoryIterations);
    exactly(m, `${scale.extremalMemoryIterations} extremal iterations`);
  }, 600_000);

  it(`device memory stays flat over ${scale.memoryIterations} explainer iterations (live tensors exactly, every device buffer)`, async () => {
    const m = await call('memory', scale.memoryIterations);
    expect(m.tensors).toHaveLength(scale.memoryIterations);
    exactly(m, `${scale.memoryIterations} meaningful iterations`);
  }, 600_000);

  it('batched submission: each call of a kernel sees its own parameters, in one submit', async () => {
    const r = await call('ordering');
    console.log(`3 calls of one kernel and 3 reads: ${JSON.stringify(r.counters)}`);
    expect(r.scaled).toEqual([[2, 4, 6, 8], [3, 6, 9, 12], [5, 10, 15, 20]]);
    expect(r.counters.kernels).toBe(3);
    // the three dispatches and the first copy go out together; each later read submits its own copy
    expect(r.counters.submits).toBeLessThanOrEqual(3);
    expect(r.counters.map_async).toBe(3);
  });

  it('a kernel that fails surfaces at the next await, naming it; the queue goes on', async () => {
    const r = await call('failingKernel');
    expect(r.message).toMatch(/kernel 'broken \[3\]' failed on webgpu/);
    expect(r.afterwards).toEqual([2, 4, 6]);
  });

  it('refuses synchronous reads naming the async call, refuses mixing backends, and ran no kernel on a fallback', async () => {
    const r = await call('contract');
    expect(r.syncError).toMatch(/await tensor\.data\(\)/);
    expect(r.mixError).toMatch(/different backends \(webgpu and cpu\)/);
    expect(r.fallbacks).toEqual([]);
    expect(r.item).toBe(6);
  });
}
