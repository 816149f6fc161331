// backward(): synchronous, and it frees as it goes. Live data is counted by a fresh host backend's
// own accounting (memory(): data made and not yet released), so the counts follow dispose() exactly
// and do not depend on when the garbage collector runs.
import { describe, expect, it } from 'vitest';
import { createHostBackend } from '@maskgrad/kernels';
import { record } from './tensor.js';
import { tensor, tidy, type Tensor } from './index.js';

/** x passed on unchanged (a view), whose backward rule records the live references when it runs. */
function probe(x: Tensor, at: () => void): Tensor {
  return record(x.detach(), [x], 'probe', (g) => {
    at();
    return [g];
  });
}

describe('backward() frees as it goes', () => {
  it('returns nothing to await: the gradient is queued when it returns', async () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    expect(x.mul(x).sum().backward()).toBeUndefined();
    expect(Array.from(await x.grad!.data())).toEqual([2, 4, 6]);
  });

  it('a chain of 40 ops: live data during the walk stays that of a few gradients, not 40', async () => {
    const backend = createHostBackend('cpu');
    const live = () => backend.memory();
    const n = 4096;
    const bytes = n * 4;
    const x = tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i)), [n], { requiresGrad: true, backend });
    const seen: number[] = [];
    let afterForward = 0;
    tidy(() => {
      let h = x;
      for (let k = 0; k < 40; k++) h = probe(h.mul(1.01).add(0.1).tanh(), () => seen.push(live().bytes));
      const loss = h.sum();
      afterForward = live().bytes;
      loss.backward();
    });
    expect(seen).toHaveLength(40);
    // at a probe: the forward's tensors (alive: the scope holds them) plus the walk's frontier,
    // one gradient of n values (and the loss's 1-element seed). Without freeing, every step
    // would leave its gradients and its rules' temporaries behind: ~4 vectors more each step.
    const growth = seen.map((b) => b - afterForward);
    expect(Math.max(...growth)).toBeLessThanOrEqual(bytes + 64);
    // flat along the walk (the first probe reached holds the sum's gradient: a view of the seed)
    expect(growth[0]).toBe(4);
    expect(new Set(growth.slice(1))).toEqual(new Set([bytes]));
    // the scope closed: x's data and its gradient's are all that is left
    expect(live().buffers).toBe(2);
    const grad = await x.grad!.data();
    expect(grad.every(Number.isFinite)).toBe(true);
  });

  it("the caller's gradient is not disposed; one tensor handed to two inputs counts twice", async () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const g = tensor([1, 10]);
    const y = a.add(b).add(a); // add's rule passes g on as it is, to both inputs
    y.backward(g);
    expect(g.disposed).toBe(false);
    expect(Array.from(await a.grad!.data())).toEqual([2, 20]);
    expect(Array.from(await b.grad!.data())).toEqual([1, 10]);
  });

  it('a rule that calls a tracked op is an error naming the rule and the op', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = record(x.detach(), [x], 'careless', (g) => [g.mul(2)]); // mul is tracked: rules use ops/untracked.ts
    expect(() => y.sum().backward()).toThrow("the backward rule of 'careless' called the tracked op 'mul'");
  });
});
