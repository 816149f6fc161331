import { describe, expect, it } from 'vitest';
import { gradcheck, sort, tensor } from '../index.js';

describe('sort', () => {
  it('sorts each row ascending, ties by index, along any axis', async () => {
    expect(Array.from(await sort(tensor([[3, 1, 2], [0, -1, 5]])).data())).toEqual([1, 2, 3, -1, 0, 5]);
    expect(Array.from(await sort(tensor([[3, 1, 2], [0, -1, 5]]), 0).data())).toEqual([0, -1, 2, 3, 1, 5]);
  });

  it('sends each output gradient back to the element that landed there (by hand)', async () => {
    // y = sort(x) = [x1, x3, x2, x0]; L = Σ w·y → dL/dx = [w3, w0, w2, w1]
    const x = tensor([3, 1, 2, 1.5], { requiresGrad: true });
    await sort(x).mul(tensor([10, 20, 30, 40])).sum().backward();
    expect(Array.from(await x.grad!.data())).toEqual([40, 10, 30, 20]);
  });

  it('passes gradcheck (values far enough apart that ±h does not reorder them)', async () => {
    const values = [0.9, -0.4, 0.3, 1.5, -1.2, 0.05, 0.6, -0.8, 1.1, -0.1, 0.45, 1.3];
    const x = tensor(values, [3, 4]);
    const w = tensor(values.map((v, i) => Math.sin(i + v)), [3, 4]);
    for (const axis of [-1, 0]) {
      const res = await gradcheck((a) => sort(a, axis).mul(w), [x], { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
      expect(res.ok, JSON.stringify(res.worst)).toBe(true);
    }
  });
});
