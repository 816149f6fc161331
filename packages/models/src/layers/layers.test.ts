// The ViT layers against plain-loop references (float64 JS arithmetic), the Module tree's
// bookkeeping (names, counts, freezing, strict loading) and a tiny VisionTransformer end to end.
import { describe, expect, it } from 'vitest';
import { gradcheck, tensor, type Tensor } from '@maskgrad/autograd';
import type { ViTConfig } from '../config.js';
import { CheckpointError } from '../errors.js';
import { Attention } from './attention.js';
import { Conv2d, LayerNorm, Linear } from './linear.js';
import type { Module, StateDict } from './module.js';
import { Mlp, VisionTransformer } from './vit.js';

/** Deterministic values in [-scale, scale) (an LCG, so the test does not depend on a backend's RNG). */
function values(n: number, seed: number, scale = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 4294967296) * 2 - 1) * scale;
  });
}

/** Fill every parameter of `m` with deterministic values (parameters start at zero or one). */
function randomize(m: Module, seed: number, scale = 0.5): void {
  let k = seed;
  for (const [, p] of m.namedParameters()) p.assign(values(p.size, k++, scale));
}

function input(shape: number[], seed: number, scale = 1): Tensor {
  return tensor(values(shape.reduce((a, b) => a * b, 1), seed, scale), shape);
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** y[r, o] = Σ_i x[r, i]·W[o, i] + b[o] over rows r of a row-major [rows, in] array. */
function linearRef(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, inF: number, outF: number): Float64Array {
  const rows = x.length / inF;
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
      y[r * outF + o] = s;
    }
  }
  return y;
}

/** LayerNorm over rows of width d, biased variance as in torch. */
function layerNormRef(x: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>, d: number, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[r * d + i] / d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[r * d + i] - mean) ** 2 / d;
    for (let i = 0; i < d; i++) y[r * d + i] = ((x[r * d + i] - mean) / Math.sqrt(v + eps)) * g[i] + b[i];
  }
  return y;
}

/** erf by its Maclaurin series (exact to ~1e-12 for |x| ≤ 5), ±1 beyond. */
function erf(x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const ACTS = {
  gelu: (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_tanh: (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  relu: (x: number) => Math.max(0, x),
};

function tinyConfig(patch: Partial<ViTConfig> = {}): ViTConfig {
  return {
    layout: 'hf', imageSize: 16, patchSize: 8, numChannels: 3, hiddenSize: 8, numLayers: 2, numHeads: 2, mlpDim: 16,
    qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false,
    numClasses: 3, labels: null, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5], ...patch,
  };
}

describe('Linear', () => {
  it('y = x·Wᵀ + b for [N, D] and batched [N, T, D] input', async () => {
    const lin = new Linear(4, 5);
    randomize(lin, 1);
    const w = lin.weight.dataSync();
    const b = lin.bias!.dataSync();
    const x2 = input([3, 4], 10);
    const y2 = lin.forward(x2);
    expect(y2.shape).toEqual([3, 5]);
    expectClose(await y2.data(), linearRef(x2.dataSync(), w, b, 4, 5), 1e-6);
    const x3 = input([2, 3, 4], 11);
    const y3 = lin.forward(x3);
    expect(y3.shape).toEqual([2, 3, 5]);
    expectClose(await y3.data(), linearRef(x3.dataSync(), w, b, 4, 5), 1e-6);
  });

  it('without bias: no bias parameter and y = x·Wᵀ', async () => {
    const lin = new Linear(4, 2, false);
    expect(lin.bias).toBeNull();
    expect([...lin.namedParameters()].map(([n]) => n)).toEqual(['weight']);
    randomize(lin, 2);
    const x = input([2, 3, 4], 12);
    expectClose(await lin.forward(x).data(), linearRef(x.dataSync(), lin.weight.dataSync(), null, 4, 2), 1e-6);
  });
});

describe('Conv2d', () => {
  it('stride = kernel (patch embedding) matches a loop over patches', async () => {
    const [n, c, hw, oc, k] = [2, 3, 8, 4, 4];
    const conv = new Conv2d(c, oc, k, { stride: k });
    randomize(conv, 3);
    const x = input([n, c, hw, hw], 13);
    const y = conv.forward(x);
    const g = hw / k;
    expect(y.shape).toEqual([n, oc, g, g]);
    const xs = x.dataSync();
    const w = conv.weight.dataSync();
    const b = conv.bias!.dataSync();
    const want = new Float64Array(n * oc * g * g);
    for (let b0 = 0; b0 < n; b0++) for (let o = 0; o < oc; o++) for (let py = 0; py < g; py++) for (let px = 0; px < g; px++) {
      let s = b[o];
      for (let ci = 0; ci < c; ci++) for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
        s += xs[((b0 * c + ci) * hw + py * k + ky) * hw + px * k + kx] * w[((o * c + ci) * k + ky) * k + kx];
      }
      want[((b0 * oc + o) * g + py) * g + px] = s;
    }
    expectClose(await y.data(), want, 1e-5);
  });
});

describe('LayerNorm', () => {
  it('normalizes the last axis with biased variance, weight and bias', async () => {
    const ln = new LayerNorm(6, 1e-5);
    randomize(ln, 4);
    const x = input([2, 3, 6], 14, 2);
    expectClose(await ln.forward(x).data(), layerNormRef(x.dataSync(), ln.weight.dataSync(), ln.bias.dataSync(), 6, 1e-5), 1e-5);
  });

  it('honours eps: with eps = 0.5 and small-variance input the result follows eps', async () => {
    const ln = new LayerNorm(6, 0.5);
    randomize(ln, 5);
    const x = input([4, 6], 15, 0.3);
    const got = await ln.forward(x).data();
    const [g, b] = [ln.weight.dataSync(), ln.bias.dataSync()];
    expectClose(got, layerNormRef(x.dataSync(), g, b, 6, 0.5), 1e-5);
    // The same input with a negligible eps differs a lot: eps is not ignored.
    expect(maxDiff(got, layerNormRef(x.dataSync(), g, b, 6, 1e-12))).toBeGreaterThan(0.1);
  });
});

describe('Attention', () => {
  const [n, t, dim, heads] = [2, 5, 8, 2];

  /** softmax(QKᵀ/√d)V per head, then the output projection, in float64 loops. */
  function attentionRef(x: Float32Array, a: Attention): Float64Array {
    const w = (l: Linear) => [l.weight.dataSync(), l.bias ? l.bias.dataSync() : null] as const;
    const [q, k, v] = [a.q!, a.k!, a.v!].map((l) => linearRef(x, ...w(l), dim, dim));
    const d = dim / heads;
    const ctx = new Float64Array(n * t * dim);
    for (let b = 0; b < n; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < t; i++) {
      const s = Array.from({ length: t }, (_, j) => {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[(b * t + i) * dim + h * d + c] * k[(b * t + j) * dim + h * d + c];
        return dot / Math.sqrt(d);
      });
      const m = Math.max(...s);
      const e = s.map((z) => Math.exp(z - m));
      const z = e.reduce((p, c) => p + c, 0);
      for (let c = 0; c < d; c++) {
        let acc = 0;
        for (let j = 0; j < t; j++) acc += (e[j] / z) * v[(b * t + j) * dim + h * d + c];
        ctx[(b * t + i) * dim + h * d + c] = acc;
      }
    }
    return linearRef(ctx, ...w(a.proj), dim, dim);
  }

  it('separate q/k/v matches a loop reference', async () => {
    const a = new Attention(dim, heads, true, 'separate');
    randomize(a, 6, 0.8);
    const x = input([n, t, dim], 16);
    const y = a.forward(x);
    expect(y.shape).toEqual([n, t, dim]);
    expectClose(await y.data(), attentionRef(x.dataSync(), a), 1e-5);
  });

  it('fused qkv with rows stacked q, k, v (timm) gives the same output as separate q/k/v', async () => {
    for (const bias of [true, false]) {
      const sep = new Attention(dim, heads, bias, 'separate');
      randomize(sep, 7, 0.8);
      const fused = new Attention(dim, heads, bias, 'fused');
      const cat = (parts: (Tensor | null)[]) => Float32Array.from(parts.flatMap((p) => [...p!.dataSync()]));
      fused.qkv!.weight.assign(cat([sep.q!.weight, sep.k!.weight, sep.v!.weight]));
      if (bias) fused.qkv!.bias!.assign(cat([sep.q!.bias, sep.k!.bias, sep.v!.bias]));
      else expect(fused.qkv!.bias).toBeNull();
      fused.proj.weight.assign(sep.proj.weight.dataSync());
      fused.proj.bias!.assign(sep.proj.bias!.dataSync());
      const x = input([n, t, dim], 17);
      const ys = await sep.forward(x).data();
      const yf = await fused.forward(x).data();
      expectClose(yf, ys, 1e-6);
      expect(Math.max(...ys.map(Math.abs))).toBeGreaterThan(0.05); // not trivially zero
    }
  });
});

describe('Mlp', () => {
  it.each(['gelu', 'gelu_tanh', 'relu'] as const)('%s: fc2(act(fc1(x))) matches a loop reference', async (act) => {
    const mlp = new Mlp(4, 12, act);
    randomize(mlp, 8, 0.9);
    const x = input([2, 3, 4], 18, 2);
    const h = linearRef(x.dataSync(), mlp.fc1.weight.dataSync(), mlp.fc1.bias!.dataSync(), 4, 12);
    expect(Math.max(...h.map(Math.abs))).toBeGreaterThan(1.5); // the activations see their curved region
    const ref = (f: (v: number) => number) =>
      linearRef(h.map(f), mlp.fc2.weight.dataSync(), mlp.fc2.bias!.dataSync(), 12, 4);
    const got = await mlp.forward(x).data();
    expectClose(got, ref(ACTS[act]), 1e-5);
    // The three activations are told apart at this tolerance.
    for (const other of Object.keys(ACTS) as (keyof typeof ACTS)[]) {
      if (other !== act) expect(maxDiff(got, ref(ACTS[other]))).toBeGreaterThan(1e-4);
    }
  });
});

describe('Module', () => {
  it('namedParameters: dotted names in registration order for a tiny ViT', () => {
    const vit = new VisionTransformer(tinyConfig());
    const block = (i: number) => [
      'norm1.weight', 'norm1.bias',
      'attn.q.weight', 'attn.q.bias', 'attn.k.weight', 'attn.k.bias', 'attn.v.weight', 'attn.v.bias',
      'attn.proj.weight', 'attn.proj.bias',
      'norm2.weight', 'norm2.bias',
      'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias',
    ].map((s) => `blocks.${i}.${s}`);
    expect([...vit.namedParameters()].map(([name]) => name)).toEqual([
      'clsToken', 'posEmbed', 'patchEmbed.weight', 'patchEmbed.bias',
      ...block(0), ...block(1),
      'norm.weight', 'norm.bias', 'head.weight', 'head.bias',
    ]);
    const fused = new VisionTransformer(tinyConfig({ layout: 'timm', globalPool: 'avg', fcNorm: true }));
    const names = [...fused.namedParameters()].map(([name]) => name);
    expect(names).toContain('blocks.1.attn.qkv.weight');
    expect(names).toContain('fcNorm.weight');
    expect(names).not.toContain('norm.weight');
    expect(names).not.toContain('blocks.0.attn.q.weight');
  });

  it('parameterCount sums every parameter', () => {
    const vit = new VisionTransformer(tinyConfig());
    // patch conv 8·3·8·8 + 8; cls 8; pos (4 + 1)·8; per block: 2 LayerNorms 4·8, q/k/v/proj 4·(8·8 + 8),
    // fc1 8·16 + 16, fc2 16·8 + 8; final norm 2·8; head 8·3 + 3.
    const block = 32 + 4 * 72 + 144 + 136;
    expect(vit.parameterCount()).toBe(1544 + 8 + 40 + 2 * block + 16 + 27);
    expect(vit.parameterCount()).toBe(2835);
  });

  it('freeze() turns off requiresGrad everywhere; freeze(false) turns it back on', async () => {
    const vit = new VisionTransformer(tinyConfig());
    const params = vit.parameters();
    expect(params.length).toBe(40);
    expect(params.every((p) => p.requiresGrad)).toBe(true);
    expect(vit.freeze()).toBe(vit);
    expect(params.every((p) => !p.requiresGrad)).toBe(true);
    vit.freeze(false);
    expect(params.every((p) => p.requiresGrad)).toBe(true);
  });
});

describe('Module.loadStateDict (strict)', () => {
  async function setup() {
    const vit = new VisionTransformer(tinyConfig());
    randomize(vit, 20);
    const before = await vit.stateDict();
    // A different, valid state: every value changed.
    const next: StateDict = new Map([...before].map(([k, e], i) => [k, { shape: [...e.shape], data: values(e.data.length, 100 + i) }]));
    return { vit, before, next };
  }

  function catchLoad(vit: VisionTransformer, state: StateDict): CheckpointError {
    try {
      vit.loadStateDict(state, 'weights.safetensors');
    } catch (e) {
      expect(e).toBeInstanceOf(CheckpointError);
      return e as CheckpointError;
    }
    throw new Error('expected a CheckpointError, nothing was thrown');
  }

  function expectUnchanged(vit: VisionTransformer, before: StateDict): void {
    for (const [name, t] of vit.namedParameters()) expect(t.dataSync(), name).toEqual(before.get(name)!.data);
  }

  it('loads a complete state', async () => {
    const { vit, next } = await setup();
    vit.loadStateDict(next);
    for (const [name, t] of vit.namedParameters()) expect(t.dataSync()).toEqual(next.get(name)!.data);
  });

  it('a missing key: names the key, the expected shape and "no such key"; nothing changes', async () => {
    const { vit, before, next } = await setup();
    next.delete('blocks.1.mlp.fc2.bias');
    const e = catchLoad(vit, next);
    expect(e.key).toBe('blocks.1.mlp.fc2.bias');
    expect(e.message).toContain('weights.safetensors: blocks.1.mlp.fc2.bias');
    expect(e.message).toContain('expected a tensor of shape [8]');
    expect(e.message).toContain('found no such key');
    expectUnchanged(vit, before);
  });

  it('an unexpected key: names it; nothing changes (it is found after every parameter checked out)', async () => {
    const { vit, before, next } = await setup();
    next.set('blocks.2.norm1.weight', { shape: [8], data: new Float32Array(8) });
    const e = catchLoad(vit, next);
    expect(e.key).toBe('blocks.2.norm1.weight');
    expect(e.message).toContain('weights.safetensors: blocks.2.norm1.weight');
    expect(e.message).toContain('expected a key the model uses');
    expect(e.message).toContain('found an unexpected key');
    expectUnchanged(vit, before);
  });

  it('a misshaped tensor (the last parameter): names expected and found shapes; nothing changes', async () => {
    const { vit, before, next } = await setup();
    next.set('head.bias', { shape: [4], data: new Float32Array(4) });
    const e = catchLoad(vit, next);
    expect(e.key).toBe('head.bias');
    expect(e.expected).toBe('shape [3]');
    expect(e.found).toBe('shape [4]');
    expect(e.message).toContain('weights.safetensors: head.bias: expected shape [3], found shape [4]');
    expectUnchanged(vit, before);
  });

  it('a transposed weight (same size, other shape) is refused too', async () => {
    const { vit, before, next } = await setup();
    next.set('head.weight', { shape: [8, 3], data: next.get('head.weight')!.data });
    const e = catchLoad(vit, next);
    expect(e.message).toContain('head.weight: expected shape [3, 8], found shape [8, 3]');
    expectUnchanged(vit, before);
  });
});

describe('VisionTransformer (tiny: 16 px, patch 8, width 8, 2 layers, 2 heads, 3 classes)', () => {
  const x = input([2, 3, 16, 16], 30, 1);

  it('forward gives [N, 3] logits; each image is classified independently', async () => {
    const vit = new VisionTransformer(tinyConfig());
    randomize(vit, 40);
    const logits = vit.forward(x);
    expect(logits.shape).toEqual([2, 3]);
    const both = await logits.data();
    expect(both.every(Number.isFinite)).toBe(true);
    const second = await vit.forward(x.slice(0, 1, 2)).data();
    expectClose(second, both.subarray(3, 6), 1e-5);
    expect(maxDiff(both.subarray(0, 3), both.subarray(3, 6))).toBeGreaterThan(1e-3);
    expect(() => vit.forward(input([1, 3, 32, 32], 31))).toThrow(/\[N, 3, 16, 16\]/);
  });

  it('globalPool "avg" + fcNorm: head(fcNorm(mean of patch tokens)), different from "token"', async () => {
    const token = new VisionTransformer(tinyConfig(), 'separate');
    randomize(token, 40);
    const avg = new VisionTransformer(tinyConfig({ globalPool: 'avg', fcNorm: true }), 'separate');
    // The same weights, the final norm's becoming fc_norm's.
    avg.loadStateDict(new Map([...(await token.stateDict())].map(([k, e]) => [k.replace(/^norm\./, 'fcNorm.'), e])));
    expect(avg.norm).toBeNull();
    const got = await avg.forward(x).data();
    expect(got.length).toBe(6);
    expect(maxDiff(got, await token.forward(x).data())).toBeGreaterThan(1e-3);
    // Reference: features are not normalized (norm is the identity), the class token is left out.
    const f = avg.features(x).dataSync();
    const [t, d] = [5, 8];
    const pooled = new Float32Array(2 * d);
    for (let b = 0; b < 2; b++) for (let c = 0; c < d; c++) {
      let s = 0;
      for (let i = 1; i < t; i++) s += f[(b * t + i) * d + c];
      pooled[b * d + c] = s / (t - 1);
    }
    const ln = avg.fcNorm!;
    const normed = layerNormRef(pooled, ln.weight.dataSync(), ln.bias.dataSync(), d, ln.eps);
    expectClose(got, linearRef(normed, avg.head.weight.dataSync(), avg.head.bias!.dataSync(), d, 3), 1e-5);
  });

  // The input gradients here are small (max |∂Σlogits/∂x| ≈ 0.015, typical 0.0025), so the absolute
  // tolerance is set well below them; the measured worst error at eps 1e-2 is about 5e-6.
  it('d logits / d input passes gradcheck (central differences, eps 1e-2, |Δ| ≤ 3e-5 + 1e-2·|numeric|)', async () => {
    const vit = new VisionTransformer(tinyConfig());
    randomize(vit, 50);
    vit.freeze();
    const one = input([1, 3, 16, 16], 32, 1);
    const r = await gradcheck((xi) => vit.forward(xi), [one], { eps: 1e-2, atol: 3e-5, rtol: 1e-2 });
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
    // The check is not vacuous: the gradient is well above the tolerance.
    const xg = tensor(one.dataSync(), one.shape, { requiresGrad: true });
    await vit.forward(xg).sum().backward();
    expect(Math.max(...xg.grad!.dataSync().map(Math.abs))).toBeGreaterThan(5e-3);
  });
});
