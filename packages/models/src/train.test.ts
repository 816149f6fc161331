// The training loop on a tiny ViT and an easy two-class task (reddish vs. bluish images): the loss
// falls, the model ends up right on held-out images, runs are reproducible from the seed, and the
// learning-rate schedule and the initialization have the numbers they promise.
import { describe, expect, it } from 'vitest';
import type { RgbImage } from './classifier.js';
import { ImageClassifier } from './classifier.js';
import type { ViTConfig } from './config.js';
import { mulberry32 } from './data/prng.js';
import { VisionTransformer } from './layers/vit.js';
import { evaluateAccuracy, initViTWeights, learningRate, trainClassifier } from './train.js';

const config: ViTConfig = {
  layout: 'hf', imageSize: 16, patchSize: 8, numChannels: 3, hiddenSize: 16, numLayers: 1, numHeads: 2, mlpDim: 32,
  qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false,
  numClasses: 2, labels: ['red', 'blue'], imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
};

/** Class 0: red channel high; class 1: blue channel high; everything else noise. */
function colourTask(n: number, seed: number): { images: RgbImage[]; labels: number[] } {
  const rng = mulberry32(seed);
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const images = labels.map((label) => {
    const data = new Uint8Array(16 * 16 * 3);
    for (let p = 0; p < 256; p++) {
      data[p * 3] = (label === 0 ? 150 : 40) + rng() * 100;
      data[p * 3 + 1] = rng() * 255;
      data[p * 3 + 2] = (label === 1 ? 150 : 40) + rng() * 100;
    }
    return { width: 16, height: 16, data };
  });
  return { images, labels };
}

function freshVit(seed: number): VisionTransformer {
  const vit = new VisionTransformer(config);
  initViTWeights(vit, seed);
  return vit;
}

describe('learningRate', () => {
  const o = { lr: 1e-3, warmup: 10, minLr: 1e-5 };
  it('warms up linearly, then follows a cosine from lr to minLr', () => {
    expect(learningRate(0, 110, o)).toBeCloseTo(1e-4, 12);
    expect(learningRate(4, 110, o)).toBeCloseTo(5e-4, 12);
    expect(learningRate(9, 110, o)).toBeCloseTo(1e-3, 12);
    expect(learningRate(10, 110, o)).toBeCloseTo(1e-3, 12);
    expect(learningRate(60, 110, o)).toBeCloseTo((1e-3 + 1e-5) / 2, 12); // halfway: cos(π/2) = 0
    expect(learningRate(110, 110, o)).toBeCloseTo(1e-5, 12);
  });

  it('step schedule: lr, then lr/10 after half, lr/100 after three quarters; default warm-up 5%', () => {
    const s = { lr: 1, warmup: 0, schedule: 'step' as const };
    expect([0, 49, 50, 74, 75, 99].map((t) => learningRate(t, 100, s))).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01]);
    expect(learningRate(0, 200, { lr: 1 })).toBeCloseTo(0.1, 12); // 10 warm-up steps
  });
});

describe('initViTWeights', () => {
  it('truncated N(0, 0.02²) weights, zero biases, unit LayerNorms; reproducible from the seed', async () => {
    const vit = freshVit(3);
    const params = new Map(vit.namedParameters());
    const w = params.get('blocks.0.mlp.fc1.weight')!.dataSync();
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.014);
    expect(std).toBeLessThan(0.02);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.04 + 1e-7);
    expect([...params.get('blocks.0.norm1.weight')!.dataSync()].every((v) => v === 1)).toBe(true);
    expect([...params.get('norm.bias')!.dataSync()].every((v) => v === 0)).toBe(true);
    expect([...params.get('head.bias')!.dataSync()].every((v) => v === 0)).toBe(true);
    expect(params.get('posEmbed')!.dataSync().some((v) => v !== 0)).toBe(true);
    expect((await freshVit(3).stateDict()).get('clsToken')!.data).toEqual(params.get('clsToken')!.dataSync());
    expect((await freshVit(4).stateDict()).get('clsToken')!.data).not.toEqual(params.get('clsToken')!.dataSync());
  });
});

describe('trainClassifier', () => {
  const train = colourTask(64, 1);
  const test = colourTask(40, 2);
  const opts = { epochs: 6, batchSize: 16, lr: 3e-3, seed: 5, warmup: 2, hflip: true };

  it('lowers the loss and learns the task; evaluateAccuracy scores it on held-out images', async () => {
    const vit = freshVit(1);
    const before = await evaluateAccuracy(new ImageClassifier(vit, config), test.images, test.labels, 16);
    const progress: number[] = [];
    const r = await trainClassifier(vit, train, { ...opts, onProgress: (p) => progress.push(p.step) });
    expect(r.steps).toBe(24);
    expect(progress).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(r.losses.length).toBe(24);
    expect(r.epochLosses.length).toBe(6);
    expect(r.losses[0]).toBeGreaterThan(0.6); // ≈ ln 2 at the start
    expect(r.epochLosses[5]!).toBeLessThan(0.3);
    const after = await evaluateAccuracy(new ImageClassifier(vit, config), test.images, test.labels, 16);
    expect(before).toBeLessThan(0.8);
    expect(after).toBe(1);
  });

  it('is reproducible: the same seed gives the same losses, another seed other losses', async () => {
    const a = await trainClassifier(freshVit(1), train, { ...opts, epochs: 1 });
    const b = await trainClassifier(freshVit(1), train, { ...opts, epochs: 1 });
    const c = await trainClassifier(freshVit(1), train, { ...opts, epochs: 1, seed: 6 });
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).not.toEqual(a.losses);
  });

  it('timeBudgetMs stops early and still anneals: the schedule follows elapsed time', async () => {
    const lrs: number[] = [];
    const fractions: number[] = [];
    const r = await trainClassifier(freshVit(1), train, {
      ...opts, epochs: 50, warmup: 0, minLr: 1e-6, timeBudgetMs: 300,
      onProgress: (p) => { lrs.push(p.lr); fractions.push(p.progress); },
    });
    expect(r.plannedSteps).toBe(200);
    expect(r.steps).toBeGreaterThanOrEqual(1);
    expect(r.steps).toBeLessThan(200);
    expect(r.elapsedMs).toBeLessThan(300 + 2000); // at most one step past the budget
    expect(fractions.at(-1)).toBe(1);
    if (lrs.length > 1) expect(lrs.at(-1)!).toBeLessThan(lrs[0]!);
  });

  it('rejects data that does not fit', async () => {
    await expect(trainClassifier(freshVit(1), { images: train.images, labels: [0] }, opts)).rejects.toThrow(/64 images but 1 labels/);
    await expect(trainClassifier(freshVit(1), { images: train.images.slice(0, 3), labels: [0, 1, 0] }, opts)).rejects.toThrow(/one batch of 16/);
    await expect(evaluateAccuracy(new ImageClassifier(freshVit(1), config), [], [])).rejects.toThrow(/no images/);
  });
});
