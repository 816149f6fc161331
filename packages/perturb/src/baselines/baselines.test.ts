import { describe, expect, it } from 'vitest';
import { noGrad, tensor, zeros, type Tensor } from '@maskgrad/autograd';
import type { Classifier } from '../objective.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import { gradientSaliency } from './gradient.js';
import { occlusionSaliency, windowStarts } from './occlusion.js';
import { saliencyOfExplanation, perturbationSaliency } from './perturbation.js';
import { riseMask, riseSaliency } from './rise.js';
import { attentionRollout } from './rollout.js';

/**
 * A fake 2-class model on 16×16 images: logit 0 = 4·(mean of the top-left
 * 4×4 corner of the normalized input), logit 1 = 0. Only that corner matters.
 */
const cornerModel: Classifier = {
  labels: ['corner', 'rest'],
  normalize: (p: Tensor) => p.mul(2).sub(1),
  forward: (x: Tensor) => {
    const n = x.shape[0];
    const corner = x.slice(2, 0, 4).slice(3, 0, 4).mean([1, 2, 3]).mul(4).reshape([n, 1]);
    return corner.concat([zeros([n, 1])], 1);
  },
};
const inCorner = (i: number, w = 16) => i % w < 4 && Math.floor(i / w) < 4;
const x16 = seededTensor([2, 3, 16, 16], 3, 0.6, 1);

describe('gradient saliency', () => {
  it('is max_c |∂p/∂x_c| and zero where the model does not look', async () => {
    const [s] = await gradientSaliency(cornerModel, x16.slice(0, 0, 1), [0]);
    expect(s.length).toBe(256);
    // p = σ(4·mean(2x − 1)) over 48 corner values: ∂p/∂x = p(1 − p)·4·2/48, the same for every corner pixel
    const p = noGrad(() => cornerModel.forward(cornerModel.normalize(x16.slice(0, 0, 1))).softmax(-1)).dataSync()[0];
    const want = (p * (1 - p) * 8) / 48;
    for (let i = 0; i < 256; i++) expect(s[i]).toBeCloseTo(inCorner(i) ? want : 0, 7);
  });

  it('matches a finite difference on a real (tiny) ViT, image by image in a batch', async () => {
    const model = tinyClassifier();
    const x = seededTensor([2, 3, 8, 8], 9, 0, 1);
    const maps = await gradientSaliency(model, x, [1, 2]);
    const prob = (data: Float32Array, k: number, t: number) =>
      noGrad(() => model.forward(model.normalize(tensor(data.slice(k * 192, (k + 1) * 192), [1, 3, 8, 8]))).softmax(-1)).dataSync()[t];
    const base = x.dataSync();
    for (const [k, t, pixel] of [[1, 2, 10], [0, 1, 37]] as const) {
      let best = 0;
      for (let c = 0; c < 3; c++) {
        const up = base.slice(); up[k * 192 + c * 64 + pixel] += 1e-2;
        const dn = base.slice(); dn[k * 192 + c * 64 + pixel] -= 1e-2;
        best = Math.max(best, Math.abs((prob(up, k, t) - prob(dn, k, t)) / 2e-2));
      }
      expect(maps[k][pixel]).toBeCloseTo(best, 3);
    }
  });
});

describe('occlusion', () => {
  it('window starts cover the image, the last flush with the border', () => {
    expect(windowStarts(64, 8, 4)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56]);
    expect(windowStarts(10, 4, 4)).toEqual([0, 4, 6]);
    expect(windowStarts(8, 8, 4)).toEqual([0]);
  });

  it('is positive where greying out lowers the probability, zero where no window touching the corner covers', async () => {
    const maps = await occlusionSaliency(cornerModel, x16, [0, 0], { patch: 4, stride: 2, batchSize: 7 });
    for (const s of maps) {
      for (let i = 0; i < 256; i++) {
        const x = i % 16, y = Math.floor(i / 16);
        if (x >= 6 || y >= 6) expect(s[i]).toBe(0); // no window covering (x, y) overlaps the corner
        if (inCorner(i)) expect(s[i]).toBeGreaterThan(0);
      }
      expect(s.indexOf(Math.max(...s))).toSatisfy((i: number) => inCorner(i));
    }
  });
});

describe('attention rollout', () => {
  it('one layer: the class row of (mean_heads A + I)/2 over the patches, upsampled; recording switched back off', async () => {
    const model = tinyClassifier(); // 8 px, patch 4: a 2×2 grid, one block
    const x = seededTensor([2, 3, 8, 8], 4, 0, 1);
    const maps = await attentionRollout(model, x, [0, 0]);
    const attn = model.vit.blocks[0].attn;
    expect(attn.recordAttention).toBe(false);
    expect(attn.lastAttention).toBeNull();
    attn.recordAttention = true;
    noGrad(() => model.forward(model.normalize(x)));
    const a = attn.lastAttention!.dataSync(); // [2, heads 2, T 5, T 5]
    attn.recordAttention = false;
    for (let k = 0; k < 2; k++) {
      const grid = [1, 2, 3, 4].map((j) => (a[((k * 2 + 0) * 5 + 0) * 5 + j] + a[((k * 2 + 1) * 5 + 0) * 5 + j]) / 2 / 2);
      // bilinear (align_corners=false) keeps the grid values at the image corners
      expect(maps[k][0]).toBeCloseTo(grid[0], 6);
      expect(maps[k][7]).toBeCloseTo(grid[1], 6);
      expect(maps[k][56]).toBeCloseTo(grid[2], 6);
      expect(maps[k][63]).toBeCloseTo(grid[3], 6);
    }
  });

  it('rejects a model without attention', async () => {
    await expect(attentionRollout(cornerModel, x16, [0, 0])).rejects.toThrow(/needs a ViT/);
  });
});

describe('RISE', () => {
  it('masks are seeded, smooth, in [0, 1], and keep about p of the image', () => {
    const a = riseMask(3, 16, 16, 4, 0.5, 7);
    expect(Array.from(a)).toEqual(Array.from(riseMask(3, 16, 16, 4, 0.5, 7)));
    expect(Array.from(a)).not.toEqual(Array.from(riseMask(4, 16, 16, 4, 0.5, 7)));
    let mean = 0;
    for (let i = 0; i < 200; i++) for (const v of riseMask(i, 16, 16, 4, 0.5, 1)) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); mean += v; }
    expect(mean / (200 * 256)).toBeCloseTo(0.5, 1);
  });

  it('is highest where the model looks', async () => {
    const [s] = await riseSaliency(cornerModel, x16.slice(0, 0, 1), [0], { masks: 200, cells: 4, batchSize: 50 });
    const corner = s.filter((_, i) => inCorner(i));
    const far = s.filter((_, i) => i % 16 >= 8 && Math.floor(i / 16) >= 8);
    const avg = (v: Float32Array) => v.reduce((p, q) => p + q, 0) / v.length;
    expect(avg(corner)).toBeGreaterThan(avg(far) + 0.02);
  });
});

describe('meaningful perturbation as a saliency', () => {
  it('deletion: 1 − upsampled mask; preservation: the mask', async () => {
    const model = tinyClassifier();
    const x = seededTensor([2, 3, 8, 8], 5, 0, 1);
    let seen = 0;
    const opts = { method: 'meaningful', iterations: 3, maskSize: 4, blurSigma: 1, jitter: 0, maskNoise: 0 } as const;
    const del = await perturbationSaliency(model, x, [0, 2], { ...opts, game: 'deletion', onResults: (r) => {
      seen = r.length;
      expect(r[1].target).toBe(2);
      expect(Array.from(saliencyOfExplanation(r[0]))).toEqual(Array.from(Float32Array.from(r[0].upsampledMask.values, (v) => 1 - v)));
    } });
    expect(seen).toBe(2);
    expect(del[0].length).toBe(64);
    const pres = await perturbationSaliency(model, x, [0, 2], { ...opts, game: 'preservation', onResults: (r) => {
      expect(Array.from(saliencyOfExplanation(r[0]))).toEqual(Array.from(r[0].upsampledMask.values));
    } });
    expect(pres[1].length).toBe(64);
  });
});

describe('extremal perturbation as a saliency', () => {
  it('the mean of the masks up to the reported area; the larger areas are left out', async () => {
    const x = seededTensor([1, 3, 8, 8], 5, 0, 1);
    await perturbationSaliency(tinyClassifier(), x, [1], { iterations: 3, areas: [0.2, 0.4, 0.6], onResults: ([r]) => {
      for (const chosen of [0, 1, 2]) {
        const s = saliencyOfExplanation({ ...r, chosenArea: chosen });
        const used = r.areas!.slice(0, chosen + 1);
        s.forEach((v, i) => expect(Math.abs(v - used.reduce((t, a) => t + a.upsampledMask.values[i], 0) / used.length)).toBeLessThan(1e-6));
      }
    } });
  });
});
