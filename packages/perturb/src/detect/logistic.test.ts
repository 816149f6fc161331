import { describe, expect, it } from 'vitest';
import { gradcheck, tensor } from '@maskgrad/autograd';
import { fitLogistic, fitStandardizer, logisticLoss, logisticProbabilities, standardize } from './logistic.js';

/** A seeded LCG in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('logistic regression on autograd', () => {
  it('the loss gradient matches central differences (with the L2 term)', async () => {
    const rnd = lcg(3);
    const x = tensor(Float32Array.from({ length: 12 * 3 }, () => rnd() * 4 - 2), [12, 3]);
    const y = tensor(Float32Array.from({ length: 12 }, () => (rnd() < 0.5 ? 1 : 0)), [12]);
    const w = tensor([[0.3], [-0.7], [1.2]]);
    const b = tensor([0.4]);
    const r = await gradcheck((ww, bb) => logisticLoss(x, y, ww, bb, 0.3), [w, b], { eps: 1e-2, atol: 1e-4, rtol: 1e-2 });
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
  });

  it('fits a separable toy set: the loss starts at ln 2, falls, and every point is classified right', async () => {
    const rows = [[-2, 1], [-1.5, -0.5], [-1, 0.3], [-0.6, 2], [0.7, -1], [1, 0.5], [1.6, -2], [2.2, 0.1]];
    const labels = [0, 0, 0, 0, 1, 1, 1, 1];
    const fit = await fitLogistic(rows, labels, { l2: 1e-3, lr: 0.1, steps: 200 });
    expect(fit.losses[0]).toBeCloseTo(Math.LN2, 6);
    expect(fit.losses.at(-1)!).toBeLessThan(fit.losses[0] / 4);
    expect(fit.losses.at(-1)!).toBeLessThan(fit.losses[100]);
    const p = logisticProbabilities(rows, fit.weights, fit.bias);
    p.forEach((v, i) => expect(v > 0.5 ? 1 : 0).toBe(labels[i]));
  });

  it('reaches the regularized optimum: Xᵀ(p − y)/n + λw = 0 and mean(p − y) = 0, computed in float64', async () => {
    const rnd = lcg(11);
    const rows = Array.from({ length: 40 }, () => [rnd() * 2 - 1, rnd() * 2 - 1]);
    const labels = rows.map(([a, b]) => (a + 0.5 * b + 0.6 * (rnd() - 0.5) > 0 ? 1 : 0)); // overlapping classes
    const l2 = 0.05;
    const fit = await fitLogistic(rows, labels, { l2, lr: 0.05, steps: 600 });
    const p = rows.map((r) => 1 / (1 + Math.exp(-(r[0] * fit.weights[0] + r[1] * fit.weights[1] + fit.bias))));
    const gw = [0, 1].map((j) => rows.reduce((s, r, i) => s + r[j] * (p[i] - labels[i]), 0) / rows.length + l2 * fit.weights[j]);
    const gb = p.reduce((s, v, i) => s + v - labels[i], 0) / rows.length;
    for (const g of [...gw, gb]) expect(Math.abs(g)).toBeLessThan(1e-3);
  });

  it('standardizes columns to mean 0 and standard deviation 1; a constant column keeps std 1', () => {
    const rows = [[1, 5, 2], [3, 5, 4], [5, 5, 9]];
    const s = fitStandardizer(rows);
    expect(s.means).toEqual([3, 5, 5]);
    expect(s.stds[1]).toBe(1);
    const z = standardize(rows, s);
    for (const j of [0, 2]) {
      expect(z.reduce((a, r) => a + r[j], 0)).toBeCloseTo(0, 12);
      expect(z.reduce((a, r) => a + r[j] ** 2, 0) / 3).toBeCloseTo(1, 12);
    }
    expect(() => standardize([[1, 2]], s)).toThrow(/2 features, expected 3/);
  });
});
