import { describe, expect, it } from 'vitest';
import { gradcheck, noGrad, seededTensor, tensor, type Tensor } from './test-model.js';
import { composite, l1Term, objective, shift, targetProbability, tvTerm } from './objective.js';
import { gaussianTaps } from './blur.js';
import { tinyClassifier } from './test-model.js';

const data = async (t: Tensor) => Array.from(await t.data());

describe('loss terms against hand computations', () => {
  // one 2×2 mask [[1, 0.5], [0, 0.25]]
  const m = tensor([1, 0.5, 0, 0.25], [1, 1, 2, 2]);

  it('l1: mean |1 − m| for deletion, mean |m| for preservation', async () => {
    expect((await data(l1Term(m, 'deletion')))[0]).toBeCloseTo((0 + 0.5 + 1 + 0.75) / 4, 6);
    expect((await data(l1Term(m, 'preservation')))[0]).toBeCloseTo((1 + 0.5 + 0 + 0.25) / 4, 6);
  });

  it('TV_β: mean |vertical diff|^β + mean |horizontal diff|^β', async () => {
    // vertical: |0 − 1|, |0.25 − 0.5| ; horizontal: |0.5 − 1|, |0.25 − 0|
    const want = (1 ** 3 + 0.25 ** 3) / 2 + (0.5 ** 3 + 0.25 ** 3) / 2;
    expect((await data(tvTerm(m, 3)))[0]).toBeCloseTo(want, 6);
    expect((await data(tvTerm(m, 1)))[0]).toBeCloseTo((1 + 0.25) / 2 + (0.5 + 0.25) / 2, 6);
  });

  it('composite: x·M + P·(1 − M)', async () => {
    const x = tensor([0.2, 0.8], [1, 1, 1, 2]);
    const p = tensor([1, 0], [1, 1, 1, 2]);
    const up = tensor([0.25, 1], [1, 1, 1, 2]);
    const got = await data(composite(x, p, up));
    expect(got[0]).toBeCloseTo(0.2 * 0.25 + 1 * 0.75, 6);
    expect(got[1]).toBeCloseTo(0.8, 6);
  });

  it('shift moves the image and reflects the border', async () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    // shifted down by one and right by one: row 0 reflects row 1, column 0 reflects column 1
    expect(await data(shift(x, 1, 1, 1))).toEqual([5, 4, 5, 2, 1, 2, 5, 4, 5]);
    expect(await data(shift(x, 0, 0, 1))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('target probability picks each row\'s class from the softmax', async () => {
    const logits = tensor([0, Math.log(3), 0, 0], [2, 2]);
    const p = await data(targetProbability(logits, [1, 0]));
    expect(p[0]).toBeCloseTo(0.75, 6);
    expect(p[1]).toBeCloseTo(0.5, 6);
  });

  it('Gaussian taps: 2·ceil(3σ)+1 of them, normalized and symmetric', () => {
    const t = gaussianTaps(3);
    expect(t.length).toBe(19);
    expect(t.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(t[0]).toBeCloseTo(t[18], 9);
  });
});

describe('the whole objective', () => {
  it('passes gradcheck with respect to the mask on a tiny model (deletion and preservation, with jitter)', async () => {
    const model = tinyClassifier();
    const x = seededTensor([2, 3, 8, 8], 1, 0, 1);
    const baseline = seededTensor([2, 3, 8, 8], 2, 0, 1);
    for (const game of ['deletion', 'preservation'] as const) {
      const f = (m: Tensor) => objective(m, {
        model, x, baseline, targets: [0, 2], game, l1: 0.05, tv: 0.2, tvBeta: 3, maskNoise: 0, noiseSeed: 0,
        jitter: { dy: 1, dx: -1, max: 1 },
      }).total;
      const m0 = seededTensor([2, 1, 4, 4], 3, 0.2, 0.9);
      // float32 forward passes: |analytic − numeric| ≤ 1e-3 + 2e-2·|numeric|
      const res = await gradcheck(f, [m0], { eps: 1e-2, atol: 1e-3, rtol: 2e-2 });
      expect(res.ok, JSON.stringify(res.worst)).toBe(true);
      expect(Math.abs(res.worst!.numeric)).toBeGreaterThan(0);
    }
  });

  it('computes no gradient for the frozen model\'s weights', async () => {
    const model = tinyClassifier();
    const m = seededTensor([1, 1, 4, 4], 3, 0.2, 0.9).setRequiresGrad(true);
    const x = seededTensor([1, 3, 8, 8], 1, 0, 1);
    await objective(m, {
      model, x, baseline: noGrad(() => x.mul(0.5)), targets: [1], game: 'deletion', l1: 0.01, tv: 0.2, tvBeta: 3,
      maskNoise: 0.2, noiseSeed: 4, jitter: { dy: 0, dx: 0, max: 0 },
    }).total.backward();
    expect(m.grad).not.toBeNull();
    for (const p of model.vit.parameters()) expect(p.grad).toBeNull();
  });
});
