import { describe, expect, it } from 'vitest';
import { noGrad, tensor } from '@maskgrad/autograd';
import { explain, explainBatch } from '../explain.js';
import { resolveOptions } from '../options.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import { reward } from './optimize.js';
import { blurPyramid, fullyPerturbed } from './pyramid.js';
import { chooseArea } from './extremal.js';

const model = tinyClassifier();
const x = seededTensor([2, 3, 8, 8], 5, 0, 1);
const quick = { iterations: 6, areas: [0.5, 0.25], lr: 0.1 } as const;

describe('the extremal perturbation (default method)', () => {
  it('returns every area (sorted), their probabilities, and the reported mask by the rule', async () => {
    const r = await explain(model, x.slice(0, 0, 1), quick);
    expect(r.method).toBe('extremal');
    expect(r.options).toMatchObject({ method: 'extremal', areas: [0.25, 0.5], iterations: 6 });
    expect(r.areas!.map((a) => a.area)).toEqual([0.25, 0.5]);
    const o = resolveOptions(quick, 8);
    if (o.method !== 'extremal') throw new Error('unreachable');
    expect(r.chosenArea).toBe(chooseArea(r.areas!, r.probabilityBefore, 'preservation', o.keepShare));
    const chosen = r.areas![r.chosenArea!];
    expect(r.probabilityAfter).toBe(chosen.probabilityKept);
    expect(r.mask).toBe(chosen.mask);
    expect(r.upsampledMask.values.length).toBe(64);
    for (const a of r.areas!) {
      expect(a.history.map((h) => h.iteration)).toEqual([0, 1, 2, 3, 4, 5]);
      for (const v of [...a.mask.values, ...a.upsampledMask.values]) expect(v >= 0 && v <= 1).toBe(true);
    }
    // the fully perturbed image is the pyramid's strongest blur
    const blurred = noGrad(() => fullyPerturbed(blurPyramid(x.slice(0, 0, 1), o.levels, o.blurSigma)));
    const p = await noGrad(() => model.forward(model.normalize(blurred)).softmax(-1)).data();
    expect(Math.abs(r.probabilityPerturbed - p[r.target])).toBeLessThan(1e-6);
  });

  it('meets the areas after enough iterations: mean mask within 0.05 of each area', async () => {
    const r = await explain(model, x.slice(0, 0, 1), { areas: [0.2, 0.5], iterations: 60, lr: 0.1 });
    for (const a of r.areas!) {
      const mean = a.upsampledMask.values.reduce((s, v) => s + v, 0) / 64;
      expect(Math.abs(mean - a.area), `area ${a.area}: mean ${mean}`).toBeLessThan(0.05);
    }
  });

  it('a batch gives each image the masks it gets alone (the objective separates)', async () => {
    const batch = await explainBatch(model, x, quick);
    const alone = await explain(model, x.slice(0, 1, 2), quick);
    batch[1].areas!.forEach((a, j) => {
      const d = a.upsampledMask.values.map((v, i) => Math.abs(v - alone.areas![j].upsampledMask.values[i]));
      expect(Math.max(...d)).toBeLessThan(1e-5);
    });
  });

  it('runs the deletion and dual games, the contrastive reward and the flip', async () => {
    for (const game of ['deletion', 'dual'] as const) {
      const r = await explain(model, x.slice(0, 0, 1), { ...quick, iterations: 2, game, reward: 'contrastive', flip: true });
      expect(r.options).toMatchObject({ game, reward: 'contrastive', flip: true });
      expect(r.probabilityAfter).toBe(game === 'deletion' ? r.areas![r.chosenArea!].probabilityDeleted : r.areas![r.chosenArea!].probabilityKept);
    }
  });

  it('reports progress once per iteration, one mask per area', async () => {
    const seen: number[][] = [];
    await explain(model, x.slice(0, 0, 1), { ...quick, iterations: 2, onProgress: (p) => seen.push(p.areas!) });
    expect(seen).toEqual([[0.25, 0.5], [0.25, 0.5]]);
  });
});

describe('the pieces, by hand', () => {
  it('reward: the target logit, or its margin over the best other class (contrastive)', async () => {
    const logits = tensor([[2, 5, 1], [2, 5, 1]]);
    const hot = tensor([[1, 0, 0], [0, 1, 0]]);
    expect(Array.from(await reward(logits, hot, false).data())).toEqual([2, 5]);
    expect(Array.from(await reward(logits, hot, true).data())).toEqual([-3, 3]);
  });

  it('chooseArea: the smallest area that keeps the share; else the one that keeps the most; deletion mirrored', () => {
    const areas = [[0.4, 0.9], [0.85, 0.5], [0.95, 0.05], [0.99, 0.02]].map(([kept, deleted]) => ({ probabilityKept: kept, probabilityDeleted: deleted }));
    expect(chooseArea(areas, 1, 'preservation', 0.9)).toBe(2);
    expect(chooseArea(areas, 1, 'dual', 0.8)).toBe(1);
    expect(chooseArea(areas, 1, 'preservation', 0.995)).toBe(3); // none keeps 99.5%: the one that keeps the most
    expect(chooseArea(areas, 0.5, 'preservation', 0.9)).toBe(1); // 0.85 ≥ 0.9·0.5
    expect(chooseArea(areas, 1, 'deletion', 0.9)).toBe(2); // 0.05 ≤ (1 − 0.9)·1
    expect(chooseArea(areas, 1, 'deletion', 0.99)).toBe(3); // none leaves ≤ 1%: the lowest
  });
});
