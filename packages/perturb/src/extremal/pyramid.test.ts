import { describe, expect, it } from 'vitest';
import { gradcheck, noGrad, tensor } from '@maskgrad/autograd';
import { gaussianBlur } from '../blur.js';
import { seededTensor } from '../test-model.js';
import { applyPyramid, blurPyramid, fullyPerturbed } from './pyramid.js';

const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

describe('the blur pyramid', () => {
  it('level l is the image blurred with σ_max·(1 − l/(L−1)): the strongest first, the image itself last', async () => {
    const x = seededTensor([2, 3, 8, 8], 3, 0, 1);
    const p = blurPyramid(x, 4, 2);
    expect(p.shape).toEqual([2, 4, 3, 8, 8]);
    const level = async (l: number) => p.slice(1, l, l + 1).squeeze(1).data();
    expect(maxDiff(await level(3), await x.data())).toBe(0);
    expect(maxDiff(await level(0), await noGrad(() => gaussianBlur(x, 2)).data())).toBeLessThan(1e-6);
    expect(maxDiff(await level(1), await noGrad(() => gaussianBlur(x, 2 * (2 / 3))).data())).toBeLessThan(1e-6);
    expect(maxDiff(await fullyPerturbed(p).data(), await level(0))).toBe(0);
  });

  it('Φ interpolates between levels, with the right derivative at whole levels (by hand)', async () => {
    // three constant levels 0, 10, 30 over a 1×1 image, five masks
    const levels = tensor([0, 0, 0, 10, 10, 10, 30, 30, 30], [1, 3, 3, 1, 1]).expand([5, 3, 3, 1, 1]).contiguous();
    const m = tensor([0, 0.25, 0.5, 0.75, 1], [5, 1, 1, 1], { requiresGrad: true });
    const phi = applyPyramid(levels, m);
    // w = 2m: 0 → 0; 0.5 → 5; 1 → 10; 1.5 → 20; 2 → 30
    expect(Array.from(await phi.slice(1, 0, 1).data())).toEqual([0, 5, 10, 20, 30]);
    await phi.slice(1, 0, 1).sum().backward();
    // dΦ/dm = (L−1)·(y_k' − y_k): 2·10, 2·10, 2·20 (right derivative at w = 1), 2·20, 0 at the top
    expect(Array.from(await m.grad!.data())).toEqual([20, 20, 40, 40, 0]);
  });

  it('passes gradcheck between whole levels', async () => {
    const x = seededTensor([1, 3, 4, 4], 5, 0, 1);
    const pyramid = blurPyramid(x, 5, 1);
    const m = tensor(Array.from({ length: 16 }, (_, i) => 0.03 + (i * 0.9) / 16 + (i % 4 === 0 ? 0.1 : 0)), [1, 1, 4, 4]);
    const res = await gradcheck((a) => applyPyramid(pyramid, a), [m], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    expect(res.ok, JSON.stringify(res.worst)).toBe(true);
  });
});
