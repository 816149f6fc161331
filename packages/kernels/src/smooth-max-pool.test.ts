import { describe, expect, it } from 'vitest';
import { expNonPositive, smoothMaxPoolGradKernel, smoothMaxPoolGradReference, smoothMaxPoolKernel, smoothMaxPoolReference, type SmoothMaxPoolShape } from './smooth-max-pool.js';
import { maxAbsDiff, seededFloats, testBackends } from './test-backends.js';

const rel = (a: Float32Array, b: Float32Array) => maxAbsDiff(a, b) / Math.max(1, ...Array.from(b, Math.abs));

describe('expNonPositive', () => {
  it('is e^y within 5e-5 (relative) on [−80, 0] and 0 below', () => {
    let worst = 0;
    for (let y = -80; y <= 0; y += 0.01) worst = Math.max(worst, Math.abs(expNonPositive(y) - Math.exp(y)) / Math.exp(y));
    expect(worst).toBeLessThan(5e-5);
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-81)).toBe(0);
  });
});

describe('smoothMaxPoolReference by hand', () => {
  it('one cell, a window of one: y = w·x; a large β gives the max of the window', () => {
    const one: SmoothMaxPoolShape = { planes: 1, h: 1, w: 1, oh: 2, ow: 2, step: 2, radius: 0, coldness: 20, pad: 0 };
    expect(Array.from(smoothMaxPoolReference(new Float32Array([0.5]), new Float32Array([1, 0.5, 0.25, 0]), one).y)).toEqual([0.5, 0.25, 0.125, 0]);
    // 1×2 grid, radius 1: pixel 0 (cell 0) sees [0, 0, 0 | 0, x0, x1 | 0, 0, 0]; with β = 1000 the smooth max is the max
    const s: SmoothMaxPoolShape = { planes: 1, h: 1, w: 2, oh: 1, ow: 1, step: 1, radius: 1, coldness: 1000, pad: 0 };
    const y = smoothMaxPoolReference(new Float32Array([0.3, 0.8]), new Float32Array(9).fill(1), s).y[0];
    expect(y).toBeCloseTo(0.8, 6);
    // β = 0: the plain mean of the 9 entries, (0.3 + 0.8) / 9
    expect(smoothMaxPoolReference(new Float32Array([0.3, 0.8]), new Float32Array(9).fill(1), { ...s, coldness: 0 }).y[0]).toBeCloseTo(1.1 / 9, 6);
    // pad 1: the output starts one cell before the grid, so pixel 1 now sits on cell 0 and sees x1 in its window too
    const padded = smoothMaxPoolReference(new Float32Array([0.3, 0.8]), new Float32Array(9 * 4).fill(1), { ...s, ow: 4, pad: 1, coldness: 0 }).y;
    expect(Array.from(padded).map((v) => +v.toFixed(6))).toEqual([0.3 / 9, 1.1 / 9, 1.1 / 9, 0.8 / 9].map((v) => +v.toFixed(6)));
  });
});

describe.each(testBackends().map((b) => [b.name, b] as const))('smooth max-pool kernels on %s', (_, backend) => {
  it.each([
    { planes: 2, h: 3, w: 4, oh: 6, ow: 8, step: 2, radius: 1, coldness: 20, pad: 0 },
    { planes: 1, h: 5, w: 5, oh: 14, ow: 13, step: 3, radius: 2, coldness: 5, pad: 0 },
    { planes: 3, h: 4, w: 4, oh: 8, ow: 8, step: 2, radius: 4, coldness: 20, pad: 0 },
    { planes: 2, h: 3, w: 3, oh: 10, ow: 10, step: 2, radius: 2, coldness: 20, pad: 1 },
  ] as SmoothMaxPoolShape[])('forward and gradient %o', (s) => {
    const d = 2 * s.radius + 1;
    const x = seededFloats(s.planes * s.h * s.w, 1, 0, 1);
    const wt = seededFloats(d * d * s.oh * s.ow, 2, 0, 1);
    const got = smoothMaxPoolKernel(backend, x, wt, s);
    const want = smoothMaxPoolReference(x, wt, s);
    expect(rel(got.y, want.y)).toBeLessThan(1e-5);
    expect(rel(got.logNorm, want.logNorm)).toBeLessThan(1e-5);
    const dy = seededFloats(s.planes * s.oh * s.ow, 3);
    expect(rel(smoothMaxPoolGradKernel(backend, dy, x, wt, got, s), smoothMaxPoolGradReference(dy, x, wt, s))).toBeLessThan(1e-4);
  });

  it('ran on the backend it asked for (no silent gpu.js fallback)', () => {
    expect(backend.fallbacks()).toEqual([]);
  });
});
