import { describe, expect, it } from 'vitest';
import { ThreadsBackend } from '@maskgrad/kernels';
import { GRADCHECK_TOLERANCE, gradcheckCases } from './gradcheck-cases.js';
import {
  Adam, AdamW, SGD, conv2d, getBackend, gradcheck, keep, noGrad, ones, randn, setBackend, tensor, tidy, toDot, type Tensor,
} from './index.js';

describe('the public contract', () => {
  it('runs the example from the issue', async () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const w = tensor(new Float32Array(6), [2, 3], { requiresGrad: false });
    expect(w.shape).toEqual([2, 3]);
    const y = x.matmul(x).relu().sum();
    await y.backward();
    expect(x.grad!.shape).toEqual([2, 2]);
    // y = Σ (x x)_ij, dy/dx = 1·xᵀ + xᵀ·1 : [[3+4, 3+7],[1+6, 3+... ]] computed by hand below
    // d/dX sum(X X) = 1 Xᵀ + Xᵀ 1 where 1 is all-ones 2×2
    // 1·Xᵀ = [[1+2, 3+4],[1+2, 3+4]] = [[3,7],[3,7]]; Xᵀ·1 = [[1+3,1+3],[2+4,2+4]] = [[4,4],[6,6]]
    expect(Array.from(await x.grad!.data())).toEqual([7, 11, 9, 13]);
    expect(await y.item()).toBe(7 + 10 + 15 + 22);
  });

  it('noGrad records nothing; detach cuts the graph', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(x.mul(2).detach().requiresGrad).toBe(false);
  });

  it('accumulates gradients across backward calls and along shared paths', async () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x).add(x); // x² + x → 2x + 1 = 5
    await y.backward();
    expect(Array.from(await x.grad!.data())).toEqual([5]);
    await x.mul(3).sum().backward();
    expect(Array.from(await x.grad!.data())).toEqual([8]);
  });

  it('computes no gradient for frozen inputs (no weight-gradient kernels)', async () => {
    const w = randn([4, 4], { seed: 1 }); // frozen
    const m = tensor(new Float32Array(4).fill(1), [1, 4], { requiresGrad: true });
    const y = m.matmul(w).sum();
    let weightGradCalls = 0;
    const inner = y.gradFn!.inputs[0].gradFn!;
    const orig = inner.backward;
    inner.backward = (g, needs) => {
      if (needs[1]) weightGradCalls++;
      return orig(g, needs);
    };
    await y.backward();
    expect(weightGradCalls).toBe(0);
    expect(w.grad).toBeNull();
    expect(m.grad!.shape).toEqual([1, 4]);
  });

  it('rejects backward on a non-scalar without a gradient, and on a tensor without grad', () => {
    expect(() => tensor([1, 2], { requiresGrad: true }).mul(2).backward()).toThrow(/pass a gradient/);
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
  });

  it('toDot draws ops and tensors', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.name = 'mask';
    const dot = toDot(x.exp().sum());
    expect(dot).toMatch(/digraph/);
    expect(dot).toMatch(/label="exp"/);
    expect(dot).toMatch(/mask\\n\[2\]\\nrequiresGrad/);
  });
});

const r = (shape: number[], seed: number) => randn(shape, { seed }).clamp(-2, 2).mul(0.5);

describe('gradcheck of every differentiable op (central differences, h = 1e-2)', () => {
  it.each(gradcheckCases(getBackend()))('%s', async (_, fn, inputs) => {
    // float32 forward evaluations: |error| ≤ 2e-3 + 2e-2·|numeric|
    const res = await gradcheck(fn, inputs, GRADCHECK_TOLERANCE);
    expect(res.worst, JSON.stringify(res.worst)).not.toBeNull();
    expect(res.ok, `worst ${JSON.stringify(res.worst)}`).toBe(true);
  });

  it('on webasm-threads too (the asynchronous queue on the host): every case passes', async () => {
    const threads = new ThreadsBackend();
    const failed: string[] = [];
    for (const [name, fn, inputs] of gradcheckCases(threads)) {
      const res = await gradcheck(fn, inputs, GRADCHECK_TOLERANCE);
      if (!res.ok) failed.push(`${name}: ${JSON.stringify(res.worst)}`);
    }
    expect(failed).toEqual([]);
    threads.destroy();
  }, 120_000);

  it('gradcheck itself catches a wrong derivative', async () => {
    const wrong = (a: Tensor) => a.mul(a).add(noGrad(() => a.mul(a)).detach()); // hides half of d/da a²·2
    expect((await gradcheck(wrong, [r([4], 1)], GRADCHECK_TOLERANCE)).ok).toBe(false);
  });
});

describe('conv2d paths', () => {
  it('the patch (stride = kernel) path equals the direct kernel', async () => {
    const x = r([2, 3, 8, 8], 1);
    const w = r([4, 3, 4, 4], 2);
    const viaPatches = await conv2d(x, w, null, { stride: 4 }).data();
    // 3 zero columns/rows that no window reaches make 11×11, not a multiple of 4: the direct kernel runs
    const direct = await conv2d(x.pad([[0, 3], [0, 3]]), w, null, { stride: 4 }).data();
    expect(Array.from(viaPatches).map((v, i) => Math.abs(v - direct[i])).reduce((a, b) => Math.max(a, b))).toBeLessThan(1e-5);
  });
});

describe('optimizers', () => {
  const quad = async (opt: SGD | Adam, p: Tensor, steps: number) => {
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      await p.sub(3).pow(2).sum().backward();
      opt.step();
    }
    return Array.from(await p.data());
  };

  it('SGD with momentum converges on a quadratic', async () => {
    const p = tensor([0, 10], { requiresGrad: true });
    for (const v of await quad(new SGD([p], { lr: 0.05, momentum: 0.9 }), p, 200)) expect(v).toBeCloseTo(3, 3);
  });

  it('Adam matches a hand-computed first step, then converges', async () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new Adam([p], { lr: 0.1 });
    // first Adam step moves by lr·sign(g) exactly (m̂ = g, v̂ = g²)
    expect((await quad(opt, p, 1))[0]).toBeCloseTo(1.1, 5);
    expect((await quad(opt, p, 300))[0]).toBeCloseTo(3, 2);
  });

  it('dispose() frees the gradients and the state; the parameters keep their values, and stepping starts afresh', async () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new Adam([p], { lr: 0.1 });
    const after = await quad(opt, p, 3);
    await p.sub(3).pow(2).sum().backward();
    opt.dispose();
    expect(p.grad).toBeNull();
    expect(Array.from(await p.data())).toEqual(after);
    // a fresh first step is lr·sign(g) again
    expect((await quad(opt, p, 1))[0]).toBeCloseTo(after[0] + 0.1, 5);
  });

  it('AdamW decays weights with no gradient pressure', async () => {
    const p = tensor([2], { requiresGrad: true });
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    p.grad = tensor([0]);
    opt.step();
    // p·(1 − lr·λ) − lr·0/(0 + ε) = 2·0.95
    expect((await p.data())[0]).toBeCloseTo(1.9, 6);
  });
});

describe('memory discipline', () => {
  it('1000 forward+backward steps do not grow memory', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'vitest runs with --expose-gc').toBeTypeOf('function');
    const w = randn([64, 64], { seed: 3 });
    const x = ones([8, 64], { requiresGrad: true });
    const step = async () => {
      x.grad = null;
      await x.matmul(w).gelu().softmax().log().mean().backward();
    };
    for (let i = 0; i < 50; i++) await step();
    gc?.();
    const before = process.memoryUsage();
    for (let i = 0; i < 1000; i++) await step();
    gc?.();
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    // one step allocates ~100 kB of buffers; 1000 retained steps would be ~100 MB
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('tensor lifetime: dispose, tidy, keep', () => {
  it('tidy disposes what fn made except what it returns; views keep their data alive', async () => {
    const x = tensor([1, 2, 3, 4]);
    let inner: Tensor | null = null;
    const out = tidy(() => {
      inner = x.mul(2);
      const v = inner.reshape([2, 2]); // a view of inner's data
      return { v, list: [inner.add(1)] };
    });
    expect(inner!.disposed).toBe(true);
    expect(x.disposed).toBe(false); // made before the scope
    expect(Array.from(await out.v.data())).toEqual([2, 4, 6, 8]); // the view still reads the data
    expect(Array.from(await out.list[0].data())).toEqual([3, 5, 7, 9]);
    expect(() => inner!.storage).toThrow(/was disposed/);
  });

  it('keep() lets a tensor outlive its scope; nested scopes pass results outwards', () => {
    let kept: Tensor | null = null;
    let passed: Tensor | null = null;
    tidy(() => {
      passed = tidy(() => {
        kept = keep(tensor([1]).add(1));
        return tensor([2]).mul(3);
      });
      expect(passed!.disposed).toBe(false); // returned by the inner scope: it lives in the outer one
    });
    expect(kept!.disposed).toBe(false);
    expect(passed!.disposed).toBe(true);
  });

  it('backward through a graph whose tensors a tidy scope disposed is an error, not a silent zero gradient', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tidy(() => x.mul(3).exp().sum());
    expect(() => y.backward()).toThrow(/graph passes through a disposed tensor.*inside that scope/);
    expect(x.grad).toBeNull();
  });

  it('tidy refuses an async function, and disposes everything when fn throws', () => {
    let made: Tensor | null = null;
    expect(() => tidy(() => { made = tensor([1]).mul(2); throw new Error('boom'); })).toThrow('boom');
    expect(made!.disposed).toBe(true);
    expect(() => tidy((async () => tensor([1])) as never)).toThrow(/synchronous function/);
  });

  it('a leaf owns its gradient: zeroGrad and dispose free it, backward inside tidy keeps it', async () => {
    const p = tensor([1, 2], { requiresGrad: true });
    tidy(() => p.mul(p).sum().backward());
    expect(Array.from(await p.grad!.data())).toEqual([2, 4]);
    const g = p.grad!;
    new SGD([p], { lr: 0.1 }).zeroGrad();
    expect(g.disposed).toBe(true);
    expect(p.grad).toBeNull();
  });

  it('tensors of two backends meeting in an op is an error naming both, before any kernel runs', async () => {
    const cpu = await setBackend('cpu');
    const a = tensor([1, 2]);
    await setBackend('webasm');
    const b = tensor([3, 4]);
    expect(a.backend).toBe(cpu);
    expect(() => a.add(b)).toThrow(/different backends \(cpu and webasm\).*toBackend/);
    expect(() => a.matmul(b.reshape([2, 1]))).toThrow(/different backends/);
    const moved = await a.toBackend(b.backend);
    expect(Array.from(await moved.add(b).data())).toEqual([4, 6]);
  });
});
