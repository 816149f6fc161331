import { describe, expect, it } from 'vitest';
import { noGrad } from '@maskgrad/autograd';
import { gaussianBlur } from '../blur.js';
import { resolveOptions } from '../options.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import { explainFeatures, explanationFeatures, FEATURE_NAMES, logit, maskFeatures, poolMask } from './features.js';

const mask4 = {
  width: 4, height: 4,
  values: Float32Array.from([
    1, 1, 0, 0,
    1, 1, 0, 0,
    0, 0, 0, 0,
    0, 0, 0, 0.5,
  ]),
};

describe('explanation features', () => {
  it('mask statistics of a hand-made mask', () => {
    const f = maskFeatures(mask4);
    expect(f.maskMean).toBeCloseTo(4.5 / 16, 7);
    expect(f.maskArea).toBe(4 / 16);
    expect(f.maskMax).toBe(1);
    // vertical |Δ|: rows 1→2 give 1 + 1, rows 2→3 give 0.5, over 12 pairs; horizontal the same by symmetry
    expect(f.maskTv).toBeCloseTo(2.5 / 12 + 2.5 / 12, 7);
    // only the 0.5 cell has entropy ln 2; 0s and 1s are clamped to 1e-6 (1.48e-5 nats each)
    const tiny = -(1e-6 * Math.log(1e-6)) - (1 - 1e-6) * Math.log(1 - 1e-6);
    expect(f.maskEntropy).toBeCloseTo((Math.LN2 + 15 * tiny) / 16, 7);
    // a 4×4 mask is its own 4×4 grid
    expect(f.mask4x4_00).toBe(1);
    expect(f.mask4x4_12).toBe(0);
    expect(f.mask4x4_33).toBe(0.5);
  });

  it('pools an 8×8 mask to 4×4 block means', () => {
    const values = Float32Array.from({ length: 64 }, (_, i) => (i % 8) + 8 * Math.floor(i / 8)); // v = 8y + x
    const grid = poolMask({ width: 8, height: 8, values });
    // block (r, c) covers y ∈ {2r, 2r+1}, x ∈ {2c, 2c+1}: mean 8(2r + ½) + 2c + ½
    grid.forEach((v, cell) => expect(v).toBeCloseTo(8 * (2 * Math.floor(cell / 4) + 0.5) + 2 * (cell % 4) + 0.5, 6));
    expect(poolMask({ width: 2, height: 2, values: Float32Array.from([1, 2, 3, 4]) })).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('probabilities enter as clamped logits, in the order of FEATURE_NAMES', () => {
    const e = {
      mask: mask4, probabilityBefore: 0.9, probabilityAfter: 1, probabilityPerturbed: 0.2,
      history: [{ iteration: 0, loss: 0.3, probability: 0.5 }, { iteration: 1, loss: -0.25, probability: 0.8 }],
    };
    const f = explanationFeatures(e);
    expect(Object.keys(f)).toEqual([...FEATURE_NAMES]);
    expect(f.logitBefore).toBeCloseTo(Math.log(9), 6);
    expect(f.logitAfter).toBeCloseTo(Math.log((1 - 1e-6) / 1e-6), 6);
    expect(f.logitFirst).toBe(0);
    expect(f.logitPerturbed).toBeCloseTo(Math.log(0.25), 6);
    expect(f.finalLoss).toBe(-0.25);
    expect(logit(0)).toBeCloseTo(-Math.log((1 - 1e-6) / 1e-6), 6);
  });

  it('explainFeatures: the perturbed probability is the model on the blurred image, and the batch size changes nothing', async () => {
    const model = tinyClassifier();
    const x = seededTensor([3, 3, 8, 8], 21, 0, 1);
    const options = { method: 'meaningful', iterations: 4, maskSize: 4, blurSigma: 1 } as const;
    const a = await explainFeatures(model, x, options, 2);
    const b = await explainFeatures(model, x, options, 3);
    expect(a.features).toHaveLength(3);
    const probs = await noGrad(() => model.forward(model.normalize(gaussianBlur(x, resolveOptions(options, 8).blurSigma))).softmax(-1)).data();
    a.results.forEach((r, i) => {
      expect(a.features[i].logitPerturbed).toBeCloseTo(logit(probs[i * 3 + r.target]), 4);
      for (const name of FEATURE_NAMES) expect(b.features[i][name]).toBeCloseTo(a.features[i][name], 4);
    });
    await expect(explainFeatures(model, x, { ...options, target: 0 })).rejects.toThrow(/predicted class/);
  });
});
