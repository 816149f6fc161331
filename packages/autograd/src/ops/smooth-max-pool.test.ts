import { seededFloats } from '@maskgrad/kernels/testing';
import { describe, expect, it } from 'vitest';
import { concat, gradcheck, smoothMaxPool, tensor, type Tensor } from '../index.js';

/**
 * The same function composed from primitives (pad, slice, a nearest
 * upsampling by expand, softmax): the oracle the fused op is tested against.
 */
function composite(x: Tensor, weights: Tensor, step: number, radius: number, coldness: number, pad: number): Tensor {
  const [n, h0, w0] = x.shape;
  const [, oh, ow] = weights.shape;
  const d = 2 * radius + 1;
  const [h, w] = [h0 + 2 * pad, w0 + 2 * pad];
  const padded = x.pad([[radius + pad, radius + pad], [radius + pad, radius + pad]]);
  const planes: Tensor[] = [];
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
    const cell = padded.slice(1, a, a + h).slice(2, b, b + w);
    const up = cell.reshape([n, h, 1, w, 1]).expand([n, h, step, w, step]).reshape([n, h * step, w * step]);
    planes.push(up.slice(1, 0, oh).slice(2, 0, ow).unsqueeze(1));
  }
  const z = concat(planes, 1).mul(weights.unsqueeze(0));
  return z.mul(z.mul(coldness).softmax(1)).sum(1);
}

describe('smoothMaxPool', () => {
  const shape = { step: 2, radius: 1, coldness: 20 };
  const x = tensor(seededFloats(2 * 3 * 3, 1, 0, 1), [2, 3, 3]);
  const weights = tensor(seededFloats(9 * 5 * 6, 2, 0.2, 1), [9, 5, 6]);

  it.each([0, 1])('equals its composition from primitives, values and gradients (pad %i)', async (pad) => {
    const xa = tensor(await x.data(), x.shape, { requiresGrad: true });
    const xb = tensor(await x.data(), x.shape, { requiresGrad: true });
    const [oh, ow] = [5 + 2 * pad, 6];
    const wt = tensor(seededFloats(9 * oh * ow, 2, 0.2, 1), [9, oh, ow]);
    const g = tensor(seededFloats(2 * oh * ow, 3), [2, oh, ow]);
    const fused = smoothMaxPool(xa, wt, { ...shape, pad });
    const oracle = composite(xb, wt, shape.step, shape.radius, shape.coldness, pad);
    const [fv, ov] = [await fused.data(), await oracle.data()];
    expect(Math.max(...fv.map((v, i) => Math.abs(v - ov[i])))).toBeLessThan(1e-6);
    await fused.mul(g).sum().backward();
    await oracle.mul(g).sum().backward();
    const [fg, og] = [await xa.grad!.data(), await xb.grad!.data()];
    // the fused kernels' exponential is a polynomial within 5e-5 (relative) of Math.exp; the oracle's softmax is exact
    const scale = Math.max(...og.map(Math.abs));
    expect(Math.max(...fg.map((v, i) => Math.abs(v - og[i]))) / scale).toBeLessThan(1e-4);
  });

  it('passes gradcheck', async () => {
    const res = await gradcheck((a) => smoothMaxPool(a, weights, { ...shape, pad: 1 }), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    expect(res.ok, JSON.stringify(res.worst)).toBe(true);
  });

  it('refuses weights of the wrong shape or that want a gradient, naming what it expected', async () => {
    expect(() => smoothMaxPool(x, tensor(new Float32Array(8 * 5 * 6), [8, 5, 6]), shape)).toThrow('expected [9, out height, out width] for radius 1');
    expect(() => smoothMaxPool(x, tensor(new Float32Array(9 * 5 * 6), [9, 5, 6], { requiresGrad: true }), shape)).toThrow('get no gradient');
  });
});
