import { describe, expect, it } from 'vitest';
import { normalKernel, uniformKernel } from './random.js';
import { testBackends } from './testing.js';

// the streams' exactness against the TypeScript hash is a kernel case (kernel-cases.ts), on every backend
describe.each(testBackends().map((b) => [b.name, b] as const))('random on %s', (_, backend) => {
  it('uniform statistics over 200k draws: mean, variance, lag-1 and cross-seed correlation, histogram', () => {
    const n = 200_000;
    const u = backend.readSync(uniformKernel(backend, n, 1234));
    const v = backend.readSync(uniformKernel(backend, n, 1235));
    let m = 0, m2 = 0, lag = 0, cross = 0;
    const bins = new Array(50).fill(0);
    for (let i = 0; i < n; i++) {
      m += u[i]; m2 += u[i] * u[i];
      if (i > 0) lag += (u[i] - 0.5) * (u[i - 1] - 0.5);
      cross += (u[i] - 0.5) * (v[i] - 0.5);
      bins[Math.floor(u[i] * 50)]++;
      expect(u[i] > 0 && u[i] < 1).toBe(true);
    }
    m /= n;
    const variance = m2 / n - m * m;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.001);
    expect(Math.abs(lag / n / variance)).toBeLessThan(0.01);
    expect(Math.abs(cross / n / variance)).toBeLessThan(0.01);
    const chi2 = bins.reduce((t, b) => t + (b - n / 50) ** 2 / (n / 50), 0);
    expect(chi2).toBeLessThan(90); // 49 degrees of freedom: p ≈ 0.0004
  });

  it('normal has mean 0, std 1', () => {
    const z = backend.readSync(normalKernel(backend, 100_000, 7, 0, 1));
    let m = 0, m2 = 0;
    for (const v of z) { m += v; m2 += v * v; }
    m /= z.length;
    expect(Math.abs(m)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(m2 / z.length - m * m) - 1)).toBeLessThan(0.02);
  });
});
