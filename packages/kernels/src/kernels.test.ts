import { describe, expect, it } from 'vitest';
import { erfApprox } from './unary.js';
import { KERNEL_CASES, checkError } from './kernel-cases.js';
import { testBackends } from './testing.js';

describe.each(testBackends().map((b) => [b.name, b] as const))('kernels on %s', (_, backend) => {
  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', async (_, kase) => {
    for (const c of await kase.run(backend)) {
      const { error, bound } = checkError(c);
      expect(error, `${c.what}: max |got − want| ${error} > ${bound}`).toBeLessThanOrEqual(bound);
    }
  });

  it('ran every kernel above on the backend it asked for (no silent gpu.js fallback)', () => {
    expect(backend.stats.compiles).toBeGreaterThan(20);
    expect(backend.fallbacks()).toEqual([]);
  });
});

describe('erf approximation', () => {
  it('matches tabulated erf within 2e-7', () => {
    const table: [number, number][] = [[0.1, 0.1124629160], [0.5, 0.5204998778], [1, 0.8427007929], [2, 0.9953222650], [-1.5, -0.9661051465]];
    for (const [x, e] of table) expect(Math.abs(erfApprox(x) - e)).toBeLessThan(2e-7);
  });
});
