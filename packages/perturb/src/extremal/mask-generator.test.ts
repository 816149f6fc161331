import { describe, expect, it } from 'vitest';
import { gradcheck, tensor } from '@maskgrad/autograd';
import { maskBump, maskGeometry, maskSamples, maskWeights, smoothMask, MASK_COLDNESS } from './mask-generator.js';

const backend = tensor([0]).backend;

describe('the smooth mask (TorchRay\'s generator)', () => {
  it('the bump: 1 within half a σ, then exp(−2(z − ½)²)', async () => {
    expect(maskBump(0)).toBe(1);
    expect(maskBump(0.5)).toBe(1);
    expect(maskBump(1)).toBeCloseTo(Math.exp(-0.5), 12);
    expect(maskBump(2)).toBeCloseTo(Math.exp(-4.5), 12);
  });

  it('geometry: 64 px at TorchRay\'s 7 px / 21 px scaled (step 2, σ 6) and a small case by hand', () => {
    const g = maskGeometry(64, 2, 6);
    expect([g.grid, g.radius, g.marginCells, g.samples]).toEqual([32, 4, 3, 38]);
    const s = maskGeometry(8, 2, 2);
    expect([s.grid, s.radius, s.marginCells, s.samples]).toEqual([4, 2, 1, 6]);
    expect(s.weights.length).toBe(25 * 8 * 8);
    expect(s.sampleWeights.length).toBe(25 * 6 * 6);
  });

  // 25 window entries: one z = k(d/σ), 24 zeros → y = z·e^{βz}/(e^{βz} + 24)
  const smax = (z: number) => (z * Math.exp(MASK_COLDNESS * z)) / (Math.exp(MASK_COLDNESS * z) + 24);

  it('one cell on: 1 at its centre, the bump at 2 px and at 7 px (values by hand); all off: 0', async () => {
    const g = maskGeometry(8, 2, 2);
    const w = maskWeights(g, backend);
    const params = new Float32Array(16);
    params[1 * 4 + 1] = 1; // cell (1, 1): centred on pixel (2, 2)
    const m = await smoothMask(tensor(params, [1, 1, 4, 4]), g, w).data();
    const at = (y: number, x: number) => m[y * 8 + x];
    expect(at(2, 2)).toBeCloseTo(smax(1), 4);
    expect(at(2, 4)).toBeCloseTo(smax(maskBump(2 / 2)), 4); // 2 px away, z = k(1) = e^−½
    expect(at(7, 7)).toBeCloseTo(smax(maskBump(Math.hypot(5, 5) / 2)), 9); // 7.07 px: z = e^−18
    const off = await smoothMask(tensor(new Float32Array(16), [1, 1, 4, 4]), g, w).data();
    expect(Math.max(...off)).toBe(0);
  });

  it('the area samples are the mask at the cell centres, the margin\'s included', async () => {
    const g = maskGeometry(8, 2, 2);
    const w = maskWeights(g, backend);
    const params = tensor([0.3, 0.8, 0.1, 0.6, 0.45, 0.2, 0.7, 0.05, 0.9, 0.35, 0.55, 0.15, 0.65, 0.25, 0.5, 0.75], [1, 1, 4, 4]);
    const m = await smoothMask(params, g, w).data();
    const s = await maskSamples(params, g, w).data();
    // sample (u, v) sits on cell (u − 1, v − 1), i.e. on pixel (2(u − 1), 2(v − 1))
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(s[(i + 1) * 6 + (j + 1)]).toBeCloseTo(m[2 * i * 8 + 2 * j], 5);
    // the margin's samples see the border cells from 2 px outside: cell (1, 0) at 2 px from sample (2, 0)
    const one = new Float32Array(16);
    one[1 * 4 + 0] = 1;
    const edge = await maskSamples(tensor(one, [1, 1, 4, 4]), g, w).data();
    expect(edge[2 * 6 + 0]).toBeCloseTo(smax(maskBump(2 / 2)), 4);
  });

  it('passes gradcheck through the smooth max and the clamp (mask and samples)', async () => {
    const g = maskGeometry(6, 2, 1.5);
    const w = maskWeights(g, backend);
    const params = tensor([0.3, 0.8, 0.1, 0.6, 0.45, 0.2, 0.7, 0.05, 0.9], [1, 1, 3, 3]);
    for (const f of [smoothMask, maskSamples]) {
      const res = await gradcheck((p) => f(p, g, w), [params], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
      expect(res.ok, JSON.stringify(res.worst)).toBe(true);
    }
  });
});
