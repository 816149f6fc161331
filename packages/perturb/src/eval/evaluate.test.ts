/**
 * A small evaluation on the PyTorch fixture (tests/fixtures/shapes-vit-hf):
 * three images with their shape boxes, every method, few iterations and
 * coarse settings so it stays well under a minute. The full run is
 * `npm run eval` (scripts/eval.mjs).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { noGrad } from '@maskgrad/autograd';
import { loadModel, readImageFile, readSafetensorsFile, type ImageClassifier, type RgbImage } from '@maskgrad/models/node';
import { attentionRollout } from '../baselines/rollout.js';
import { evaluate, METHODS, type EvalResult } from './evaluate.js';
import { toMarkdownTable } from './report.js';
import type { Box } from './metrics.js';

const fixture = (p: string) => fileURLToPath(new URL(`../../../../tests/fixtures/shapes-vit-hf/${p}`, import.meta.url));
const N = 3;

describe('evaluate on shapes-vit-hf (3 images, 20 iterations)', () => {
  let model: ImageClassifier;
  let images: RgbImage[];
  let boxes: Box[];
  let ref: ReturnType<typeof readSafetensorsFile>;
  let result: EvalResult;
  const progress: string[] = [];

  beforeAll(async () => {
    model = loadModel(fixture(''));
    ref = readSafetensorsFile(fixture('reference.safetensors'));
    images = Array.from({ length: N }, (_, i) => readImageFile(fixture(`images/img${i}.png`)));
    boxes = Array.from({ length: N }, (_, i) => {
      const [x0, y0, x1, y1] = ref.read(`box_img${i}`);
      return { x0, y0, x1, y1 };
    });
    result = await evaluate(model, images, boxes, {
      methods: METHODS,
      explainOptions: { iterations: 20 },
      extremalOptions: { iterations: 40, lr: 0.1, areas: [0.1, 0.3] },
      occlusion: { patch: 16, stride: 8 },
      rise: { masks: 32 },
      steps: 8,
      batchSize: 2,
      onProgress: (p) => progress.push(`${p.phase}:${p.method ?? ''}:${p.done}/${p.total}`),
    });
  });

  it('scores every method with values in range', () => {
    for (const m of METHODS) {
      const s = result.methods[m]!;
      expect(s, m).toBeDefined();
      for (const v of [s.pointing, s.pointingCentroid]) expect([0, 1 / 3, 2 / 3, 1].some((q) => Math.abs(v - q) < 1e-9)).toBe(true);
      for (const v of [s.deletionAuc, s.insertionAuc, s.meanArea]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(s.seconds).toBeGreaterThan(0);
    }
    const table = toMarkdownTable(result);
    for (const name of ['extremal perturbation', 'meaningful perturbation', 'gradient', 'occlusion', 'attention rollout', 'RISE']) expect(table).toContain(`| ${name} |`);
    expect(table.split('\n')).toHaveLength(2 + METHODS.length);
  });

  it('explains the top class, and the curves start and end at the clean and perturbed probabilities', () => {
    expect(result.images.map((r) => r.index)).toEqual([0, 1, 2]);
    for (const r of result.images) {
      const probs = ref.read(`probs_img${r.index}`);
      expect(r.target).toBe(probs.indexOf(Math.max(...probs)));
      expect(r.probability).toBeCloseTo(probs[r.target], 4);
      expect(r.box).toEqual(boxes[r.index]); // images are at the model size: boxes unchanged
      const d = r.methods.gradient!.deletionCurve;
      const ins = r.methods.gradient!.insertionCurve;
      expect(d).toHaveLength(9);
      expect(d[0]).toBe(r.probability);
      expect(d[8]).toBe(r.baselineProbability);
      expect(ins[0]).toBe(r.baselineProbability);
      expect(ins[8]).toBe(r.probability);
    }
    expect(result.settings.fractions).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1]);
    expect(progress).toContain('saliency:extremal:2/3');
    expect(progress).toContain('saliency:meaningful:2/3');
    expect(progress).toContain('curves::3/3');
  });

  it('the perturbation methods report their mask area and whether their perturbation erases the class; the others do not', () => {
    for (const r of result.images) {
      for (const m of ['extremal', 'meaningful'] as const) {
        expect(r.methods[m]!.meanArea).toBeGreaterThan(0);
        expect(r.methods[m]!.meanArea).toBeLessThan(1);
        expect(r.methods[m]!.erases).toBe(r.perturbedProbability[m]! < 0.5 * r.probability ? 1 : 0);
      }
      expect(r.methods.gradient!.erases).toBeNull();
      // the reported extremal mask's region (≥ 0.5) has one of the areas asked for
      expect(Math.min(...[0.1, 0.3].map((a) => Math.abs(r.methods.extremal!.readerArea - a)))).toBeLessThan(0.03);
    }
    expect(result.methods.gradient!.erases).toBeNull();
    const e = result.methods.extremal!;
    for (const v of [e.energy, e.readable, e.readerCoverage, e.readerPrecision, e.erases!]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('attention rollout multiplies the layers in order (a plain-loop reference, 4 layers)', async () => {
    const x = model.pixels(images[0]);
    const [map] = await attentionRollout(model, x, [0]);
    const blocks = model.vit.blocks;
    blocks.forEach((b) => (b.attn.recordAttention = true));
    noGrad(() => model.forward(model.normalize(x)));
    const layers = blocks.map((b) => b.attn.lastAttention!.dataSync());
    blocks.forEach((b) => { b.attn.recordAttention = false; b.attn.lastAttention = null; });
    const h = model.config.numHeads;
    const t = 65;
    let r: number[] = Array.from({ length: t * t }, (_, i) => (i % (t + 1) === 0 ? 1 : 0));
    for (const a of layers) {
      const hat = Array.from({ length: t * t }, (_, i) => {
        let s = 0;
        for (let k = 0; k < h; k++) s += a[k * t * t + i];
        return s / h + (i % (t + 1) === 0 ? 1 : 0);
      });
      for (let i = 0; i < t; i++) {
        const row = hat.slice(i * t, (i + 1) * t);
        const sum = row.reduce((p, q) => p + q, 0);
        for (let j = 0; j < t; j++) hat[i * t + j] = row[j] / sum;
      }
      const next = new Array<number>(t * t).fill(0);
      for (let i = 0; i < t; i++) for (let k = 0; k < t; k++) for (let j = 0; j < t; j++) next[i * t + j] += hat[i * t + k] * r[k * t + j];
      r = next;
    }
    // grid 8×8 of patches, 8 px each: bilinear upsampling keeps the corner patches' values at the image corners
    expect(map[0]).toBeCloseTo(r[1], 5);
    expect(map[63]).toBeCloseTo(r[8], 5);
    expect(map[63 * 64]).toBeCloseTo(r[57], 5);
    expect(map[64 * 64 - 1]).toBeCloseTo(r[64], 5);
  });
});
