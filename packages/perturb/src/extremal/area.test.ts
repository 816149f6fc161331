import { describe, expect, it } from 'vitest';
import { gradcheck, tensor } from '@maskgrad/autograd';
import { areaPenalty, areaReference, areaSteps } from './area.js';

describe('the area constraint', () => {
  it('step vectors: zeros, then a·n ones', async () => {
    expect(Array.from(areaSteps([0.25, 0.5], 4))).toEqual([0, 0, 0, 1, 0, 0, 1, 1]);
    // K = 3 masks over 2 areas: mask k gets area k % 2
    expect(Array.from(areaReference([0.25, 0.5], 3, 4, tensor([0]).backend).dataSync())).toEqual([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1]);
  });

  it('with a margin: the image part is sorted, the margin held to 0, over all the values (by hand)', async () => {
    // 4×4 with a one-wide margin: image [[0.2, 0.9], [0, 0.5]], margin values 0.1 (12 of them) and one 0.3
    const v = new Float32Array(16).fill(0.1);
    v[0] = 0.3;
    [[5, 0.2], [6, 0.9], [9, 0], [10, 0.5]].forEach(([i, x]) => (v[i] = x));
    const r = await areaPenalty(tensor(v, [1, 1, 4, 4]), tensor(areaSteps([0.5], 4), [1, 4]), 1).data();
    // image part as above: 0.3; margin: 11·0.01 + 0.09
    expect(r[0]).toBeCloseTo((0.3 + 11 * 0.01 + 0.09) / 16, 6);
  });

  it('penalty and gradient by hand: m = [0.2, 0.9, 0, 0.5], area ½', async () => {
    // sorted [0, 0.2, 0.5, 0.9] against [0, 0, 1, 1]: (0 + 0.04 + 0.25 + 0.01) / 4
    const m = tensor([0.2, 0.9, 0, 0.5], [1, 1, 2, 2], { requiresGrad: true });
    const ref = tensor(areaSteps([0.5], 4), [1, 4]);
    const r = areaPenalty(m, ref);
    expect((await r.data())[0]).toBeCloseTo(0.075, 6);
    await r.sum().backward();
    // d/dm_i = 2·(m_i − r_rank(i)) / n
    const g = Array.from(await m.grad!.data());
    [0.1, -0.05, 0, -0.25].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 6));
  });

  it('equals (Σm² − 2·(sum of the top k) + k)/n, the sort written out', async () => {
    const values = [0.31, 0.05, 0.77, 0.42, 0.93, 0.18, 0.64, 0.27, 0.55];
    const k = 3;
    const ref = tensor(areaSteps([k / 9], 9), [1, 9]);
    const got = (await areaPenalty(tensor(values, [1, 1, 3, 3]), ref).data())[0];
    const top = [...values].sort((a, b) => b - a).slice(0, k).reduce((a, b) => a + b, 0);
    const want = (values.reduce((a, v) => a + v * v, 0) - 2 * top + k) / 9;
    expect(got).toBeCloseTo(want, 6);
  });

  it('passes gradcheck (two masks, values apart; without and with a margin)', async () => {
    const m = tensor([0.31, 0.05, 0.77, 0.42, 0.93, 0.18, 0.64, 0.27], [2, 1, 2, 2]);
    const ref = tensor(areaSteps([0.25, 0.5], 4), [2, 4]);
    const res = await gradcheck((a) => areaPenalty(a, ref), [m], { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
    expect(res.ok, JSON.stringify(res.worst)).toBe(true);
    const wide = tensor(Array.from({ length: 16 }, (_, i) => 0.03 + ((i * 7) % 16) / 17), [1, 1, 4, 4]);
    const withMargin = await gradcheck((a) => areaPenalty(a, tensor(areaSteps([0.5], 4), [1, 4]), 1), [wide], { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
    expect(withMargin.ok, JSON.stringify(withMargin.worst)).toBe(true);
  });
});
