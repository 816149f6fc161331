import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { adamKernel, adamReference, type AdamHyper, type AdamState } from './adam.js';
import { blendKernel, blendMaskGradKernel, blendReference } from './blend.js';
import { geluBackwardKernel, geluKernel, geluReference } from './gelu.js';
import { layerNormBackwardKernel, layerNormBackwardReference, layerNormKernel } from './layer-norm.js';
import { maxAbsDiff, seededFloats, testBackends } from './test-backends.js';

const rel = (a: Float32Array, b: Float32Array) => maxAbsDiff(a, b) / Math.max(1, ...Array.from(b, Math.abs));

/** Run fn and return its result with the number of kernels it launched. */
function counted<T>(backend: Backend, fn: () => T): [T, number] {
  const before = backend.stats.kernelCalls;
  const out = fn();
  return [out, backend.stats.kernelCalls - before];
}

describe.each(testBackends().map((b) => [b.name, b] as const))('fused kernels on %s', (_, backend) => {
  it('GELU(x + bias) and its gradient, one kernel each, match the unfused chain', () => {
    const [rows, cols] = [7, 12];
    const x = seededFloats(rows * cols, 1, -6, 6);
    const b = seededFloats(cols, 2);
    const g = seededFloats(rows * cols, 3);
    for (const bias of [b, null]) {
      const [y, ky] = counted(backend, () => geluKernel(backend, x, bias, cols));
      const [dx, kd] = counted(backend, () => geluBackwardKernel(backend, x, bias, g, cols));
      expect([ky, kd]).toEqual([1, 1]);
      expect(rel(y, geluReference(x, bias, cols))).toBeLessThan(1e-6);
      expect(rel(dx, geluReference(x, bias, cols, g))).toBeLessThan(1e-6);
    }
    expect(() => geluKernel(backend, x, new Float32Array(5), cols)).toThrow(/bias has 5 values, expected 12/);
  });

  it('the explainer\'s blend x·M + P·(1 − M) with normalization folded in, and the mask gradient', () => {
    const s = { n: 2, c: 3, hw: 20 };
    const x = seededFloats(2 * 3 * 20, 4, 0, 1);
    const p = seededFloats(2 * 3 * 20, 5, 0, 1);
    const m = seededFloats(2 * 20, 6, 0, 1);
    const g = seededFloats(2 * 3 * 20, 7);
    const scale = new Float32Array([1 / 0.229, 1 / 0.224, 1 / 0.225]);
    const shift = new Float32Array([-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225]);
    for (const [sc, sh] of [[scale, shift], [null, null]] as const) {
      const want = blendReference(x, p, m, s, sc, sh, g);
      const [y, ky] = counted(backend, () => blendKernel(backend, x, p, m, s, sc, sh));
      const [dm, kd] = counted(backend, () => blendMaskGradKernel(backend, g, x, p, s, sc));
      expect([ky, kd]).toEqual([1, 1]);
      expect(rel(y, want.y)).toBeLessThan(1e-6);
      expect(rel(dm, want.dm)).toBeLessThan(1e-6);
    }
    expect(() => blendKernel(backend, x, p, new Float32Array(60), s)).toThrow(/the mask has 60 values, expected 40/);
  });

  it.each([
    { decoupled: false, weightDecay: 0, lo: 0, hi: 1 },
    { decoupled: false, weightDecay: 0.05, lo: -Infinity, hi: Infinity },
    { decoupled: true, weightDecay: 0.01, lo: -Infinity, hi: 0.5 },
  ])('Adam step as one kernel, three steps, matches the composed update %o', (o) => {
    const n = 37;
    let state: AdamState = { p: seededFloats(n, 8, 0, 1), m: new Float32Array(n), v: new Float32Array(n) };
    let ref = state;
    let compiles = 0;
    for (let step = 1; step <= 3; step++) {
      const h: AdamHyper = { lr: 0.2, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, ...o };
      const grad = seededFloats(n, 10 + step);
      const [next, k] = counted(backend, () => adamKernel(backend, state, grad, h));
      expect(k).toBe(1);
      // one compiled kernel serves every step (lr and the bias corrections are arguments)
      if (step > 1) expect(backend.stats.compiles).toBe(compiles);
      compiles = backend.stats.compiles;
      ref = adamReference(ref, grad, h);
      state = { p: Float32Array.from(next.p), m: Float32Array.from(next.m), v: Float32Array.from(next.v) };
      expect(rel(state.m, ref.m)).toBeLessThan(1e-6);
      expect(rel(state.v, ref.v)).toBeLessThan(1e-6);
      expect(rel(state.p, ref.p)).toBeLessThan(1e-5);
    }
  });

  it('layer norm backward in three kernels matches the composition', () => {
    const [rows, cols] = [6, 10];
    const x = seededFloats(rows * cols, 12, -3, 3);
    const g = seededFloats(rows * cols, 13);
    const gamma = seededFloats(cols, 14);
    for (const gm of [gamma, null]) {
      const stats = layerNormKernel(backend, x, gm, null, rows, cols, 1e-5);
      const [got, k] = counted(backend, () => layerNormBackwardKernel(backend, x, g, stats, gm, rows, cols));
      const want = layerNormBackwardReference(x, g, stats, gm, rows, cols);
      expect(k).toBe(3);
      expect(rel(got.dx, want.dx)).toBeLessThan(1e-5);
      expect(rel(got.dgamma, want.dgamma)).toBeLessThan(1e-5);
      expect(rel(got.dbeta, want.dbeta)).toBeLessThan(1e-5);
    }
  });

  it('ran on the backend it asked for (no silent gpu.js fallback)', () => {
    expect(backend.fallbacks()).toEqual([]);
  });
});
