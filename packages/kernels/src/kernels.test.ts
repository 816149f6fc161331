import { describe, expect, it } from 'vitest';
import { concatKernel, concatReference, gatherKernel, gatherReference, scatterAddKernel } from './concat.js';
import { conv2dGradReference, conv2dInputGradKernel, conv2dKernel, conv2dReference, conv2dWeightGradKernel, type Conv2dShape } from './conv2d.js';
import { layerNormKernel, layerNormReference } from './layer-norm.js';
import { matmulKernel, matmulReference, type MatmulShape, type MatmulTuning } from './matmul.js';
import { padKernel, padReference } from './pad.js';
import { reduceKernel, reduceReference, reduceShape, type ReduceOp } from './reduce.js';
import { resizeBilinearGradKernel, resizeBilinearGradReference, resizeBilinearKernel, resizeBilinearReference } from './resize.js';
import { softmaxKernel, softmaxReference } from './softmax.js';
import { maxAbsDiff, seededFloats, testBackends } from './test-backends.js';

const rel = (a: Float32Array, b: Float32Array) => maxAbsDiff(a, b) / Math.max(1, ...Array.from(b, Math.abs));

describe.each(testBackends().map((b) => [b.name, b] as const))('kernels on %s', (_, backend) => {
  it.each(['sum', 'max', 'min', 'argmax'] as ReduceOp[])('reduce %s over every axis of [3,4,5]', (op) => {
    const x = seededFloats(60, 7);
    for (let axis = 0; axis < 3; axis++) {
      const s = reduceShape([3, 4, 5], axis);
      expect(maxAbsDiff(reduceKernel(backend, op, x, s), reduceReference(op, x, s))).toBeLessThan(1e-6);
    }
  });

  it('long sums keep float32 accuracy (Kahan)', () => {
    const x = seededFloats(100_000, 3, 0, 1);
    const s = { outer: 1, reduce: 100_000, inner: 1 };
    const exact = Array.from(x).reduce((a, b) => a + b, 0);
    expect(Math.abs(reduceKernel(backend, 'sum', x, s)[0] - exact) / exact).toBeLessThan(1e-6);
  });

  it('softmax and log-softmax', () => {
    const x = seededFloats(7 * 13, 5, -20, 20);
    expect(rel(softmaxKernel(backend, x, 7, 13), softmaxReference(x, 7, 13))).toBeLessThan(1e-6);
    expect(rel(softmaxKernel(backend, x, 7, 13, true), softmaxReference(x, 7, 13, true))).toBeLessThan(1e-5);
  });

  it('layer norm with and without affine', () => {
    const x = seededFloats(6 * 10, 9, -3, 3);
    const g = seededFloats(10, 1);
    const b = seededFloats(10, 2);
    for (const [gg, bb] of [[g, b], [null, null]] as const) {
      const got = layerNormKernel(backend, x, gg, bb, 6, 10, 1e-5);
      const want = layerNormReference(x, gg, bb, 6, 10, 1e-5);
      expect(rel(got.y, want.y)).toBeLessThan(1e-5);
      expect(rel(got.rstd, want.rstd)).toBeLessThan(1e-5);
    }
  });

  it.each([
    { batch: 1, m: 5, k: 7, n: 3 },
    { batch: 3, m: 4, k: 9, n: 6, transB: true },
    { batch: 2, m: 6, k: 5, n: 4, transA: true, broadcastB: true },
    { batch: 2, m: 1, k: 3, n: 1, transA: true, transB: true, broadcastA: true },
    { batch: 3, m: 2, k: 1, n: 3, broadcastB: true },
    { batch: 1, m: 13, k: 37, n: 21, transA: true },
    { batch: 4, m: 9, k: 8, n: 7, transB: true, broadcastB: true },
    { batch: 2, m: 4, k: 5, n: 4 },
  ] as MatmulShape[])('matmul %o', (s) => {
    const a = seededFloats((s.broadcastA ? 1 : s.batch) * s.m * s.k, 1);
    const b = seededFloats((s.broadcastB ? 1 : s.batch) * s.k * s.n, 2);
    expect(rel(matmulKernel(backend, a, b, s), matmulReference(a, b, s))).toBeLessThan(1e-5);
  });

  it.each([
    { bRead: 'lanemask', unroll: 4 },
    { bRead: 'gather', unroll: 8 },
  ] as MatmulTuning[])('matmul with the lever benchmark\'s tuning %o', (t) => {
    for (const s of [{ batch: 2, m: 6, k: 11, n: 5, transB: true }, { batch: 1, m: 3, k: 9, n: 2, transA: true }] as MatmulShape[]) {
      const a = seededFloats(s.batch * s.m * s.k, 3);
      const b = seededFloats(s.batch * s.k * s.n, 4);
      expect(rel(matmulKernel(backend, a, b, s, t), matmulReference(a, b, s))).toBeLessThan(1e-5);
    }
  });

  it.each([
    { n: 2, c: 4, h: 7, w: 6, oc: 6, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 1 },
    { n: 1, c: 3, h: 9, w: 8, oc: 3, kh: 3, kw: 2, strideH: 2, strideW: 3, padH: 1, padW: 0, groups: 3 },
    { n: 1, c: 2, h: 8, w: 8, oc: 4, kh: 4, kw: 4, strideH: 4, strideW: 4, padH: 0, padW: 0, groups: 2 },
  ] as Conv2dShape[])('conv2d forward, input and weight gradients %o', (s) => {
    const x = seededFloats(s.n * s.c * s.h * s.w, 3);
    const w = seededFloats(s.oc * (s.c / s.groups) * s.kh * s.kw, 4);
    const y = conv2dReference(x, w, s);
    expect(rel(conv2dKernel(backend, x, w, s), y)).toBeLessThan(1e-5);
    const dy = seededFloats(y.length, 5);
    const ref = conv2dGradReference(dy, x, w, s);
    expect(rel(conv2dInputGradKernel(backend, dy, w, s), ref.dx)).toBeLessThan(1e-5);
    expect(rel(conv2dWeightGradKernel(backend, dy, x, s), ref.dw)).toBeLessThan(1e-5);
  });

  it.each([[4, 5, 9, 13], [16, 16, 64, 64], [12, 10, 5, 3], [7, 7, 7, 7]])('bilinear resize %i×%i → %i×%i and its gradient', (h, w, oh, ow) => {
    const s = { planes: 2, h, w, oh, ow };
    const x = seededFloats(2 * h * w, 6);
    expect(rel(resizeBilinearKernel(backend, x, s), resizeBilinearReference(x, s))).toBeLessThan(1e-6);
    const dy = seededFloats(2 * oh * ow, 7);
    expect(rel(resizeBilinearGradKernel(backend, dy, s), resizeBilinearGradReference(dy, s))).toBeLessThan(1e-5);
  });

  it('pad constant and reflect', () => {
    const x = seededFloats(2 * 5 * 4, 8);
    const pads = [[0, 0], [2, 3], [3, 1]] as const;
    expect(maxAbsDiff(padKernel(backend, x, [2, 5, 4], pads, 'constant', 0.5), padReference(x, [2, 5, 4], pads, 'constant', 0.5))).toBe(0);
    expect(maxAbsDiff(padKernel(backend, x, [2, 5, 4], pads, 'reflect'), padReference(x, [2, 5, 4], pads, 'reflect'))).toBe(0);
  });

  it('concat, gather and its scatter-add gradient', () => {
    const xs = [seededFloats(2 * 1 * 3, 1), seededFloats(2 * 4 * 3, 2), seededFloats(2 * 2 * 3, 3)];
    expect(maxAbsDiff(concatKernel(backend, xs, [1, 4, 2], 2, 3), concatReference(xs, [1, 4, 2], 2, 3))).toBe(0);
    const x = seededFloats(2 * 5 * 3, 4);
    const idx = new Float32Array([4, 0, 0, 2]);
    expect(maxAbsDiff(gatherKernel(backend, x, idx, 2, 5, 3), gatherReference(x, idx, 2, 5, 3))).toBe(0);
    const dy = seededFloats(2 * 4 * 3, 5);
    const dx = scatterAddKernel(backend, dy, idx, 2, 5, 3);
    expect(dx[(0 * 5 + 0) * 3 + 1]).toBeCloseTo(dy[(0 * 4 + 1) * 3 + 1] + dy[(0 * 4 + 2) * 3 + 1], 6);
    expect(dx[(1 * 5 + 1) * 3 + 2]).toBe(0);
  });

  it('ran every kernel above on the backend it asked for (no silent gpu.js fallback)', () => {
    expect(backend.stats.compiles).toBeGreaterThan(20);
    expect(backend.fallbacks()).toEqual([]);
  });
});
