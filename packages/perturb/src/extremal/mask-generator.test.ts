import { describe, expect, it } from 'vitest';
import { gradcheck, tensor } from '@maskgrad/autograd';
import { cropMask, maskBump, maskGeometry, maskWeights, smoothMask, MASK_COLDNESS } from './mask-generator.js';

describe('the smooth mask (TorchRay\'s generator)', () => {
  it('the bump: 1 within half a σ, then exp(−2(z − ½)²)', () => {
    expect(maskBump(0)).toBe(1);
    expect(maskBump(0.5)).toBe(1);
    expect(maskBump(1)).toBeCloseTo(Math.exp(-0.5), 12);
    expect(maskBump(2)).toBeCloseTo(Math.exp(-4.5), 12);
  });

  it('geometry: 64 px at TorchRay\'s 7 px / 21 px scaled (step 2, σ 6) and a small case by hand', () => {
    const g = maskGeometry(64, 2, 6);
    expect([g.grid, g.marginCells, g.margin, g.full, g.radius]).toEqual([32, 3, 6, 76, 4]);
    const s = maskGeometry(8, 2, 2);
    expect([s.grid, s.marginCells, s.margin, s.full, s.radius]).toEqual([4, 1, 2, 12, 2]);
    expect(s.weights.length).toBe(25 * 12 * 12);
  });

  it('one cell on: 1 at its centre, the bump at 2 px and at 7 px (values by hand); all off: 0', async () => {
    const g = maskGeometry(8, 2, 2);
    const params = new Float32Array(16);
    params[1 * 4 + 1] = 1; // cell (1, 1): centred on image pixel (2, 2)
    const full = await smoothMask(tensor(params, [1, 1, 4, 4]), g, maskWeights(g, tensor([0]).backend)).data();
    const at = (y: number, x: number) => full[(y + g.margin) * g.full + (x + g.margin)];
    // 25 window entries: one z = k(d/σ), 24 zeros → y = z·e^{βz}/(e^{βz} + 24)
    const smax = (z: number) => (z * Math.exp(MASK_COLDNESS * z)) / (Math.exp(MASK_COLDNESS * z) + 24);
    expect(at(2, 2)).toBeCloseTo(smax(1), 4);
    expect(at(2, 4)).toBeCloseTo(smax(maskBump(2 / 2)), 4); // 2 px away, z = k(1) = e^−½
    expect(at(7, 7)).toBeCloseTo(smax(maskBump(Math.hypot(5, 5) / 2)), 9); // 7.07 px: z = e^−18
    const off = await smoothMask(tensor(new Float32Array(16), [1, 1, 4, 4]), g, maskWeights(g, tensor([0]).backend)).data();
    expect(Math.max(...off)).toBe(0);
    // the crop is the image's part of the full mask
    const crop = await cropMask(tensor(full, [1, 1, g.full, g.full]), g).data();
    expect(crop.length).toBe(64);
    expect(crop[2 * 8 + 2]).toBe(at(2, 2));
  });

  it('passes gradcheck through the smooth max and the clamp', () => {
    const g = maskGeometry(6, 2, 1.5);
    const weights = maskWeights(g, tensor([0]).backend);
    const params = tensor([0.3, 0.8, 0.1, 0.6, 0.45, 0.2, 0.7, 0.05, 0.9], [1, 1, 3, 3]);
    const res = gradcheck((p) => cropMask(smoothMask(p, g, weights), g), [params], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    expect(res.ok, JSON.stringify(res.worst)).toBe(true);
  });
});
