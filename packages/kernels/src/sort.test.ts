import { describe, expect, it } from 'vitest';
import { argsortKernel, argsortReference, sortLength, sortRanksKernel, sortRanksReference, takeAlongRowsKernel, takeAlongRowsReference } from './sort.js';
import { maxAbsDiff, seededFloats, testBackends } from './test-backends.js';

describe('sortLength', () => {
  it('is the next power of two', () => {
    expect([1, 2, 3, 4, 5, 4096, 4097].map(sortLength)).toEqual([1, 2, 4, 4, 8, 4096, 8192]);
  });
});

describe.each(testBackends().map((b) => [b.name, b] as const))('sort kernels on %s', (_, backend) => {
  it.each([[1, 1], [3, 7], [2, 16], [4, 100], [2, 5776]])('argsort of %i rows of %i, then the values and the ranks', (rows, n) => {
    const x = seededFloats(rows * n, n, -1, 1);
    // ties: every row repeats its first values, so the index tie-break is exercised
    for (let r = 0; r < rows; r++) for (let i = 0; i < Math.floor(n / 3); i++) x[r * n + n - 1 - i] = x[r * n + i];
    const perm = argsortKernel(backend, x, rows, n);
    expect(maxAbsDiff(perm, argsortReference(x, rows, n))).toBe(0);
    const sorted = takeAlongRowsKernel(backend, x, perm, rows, n, n);
    expect(maxAbsDiff(sorted, takeAlongRowsReference(x, perm, rows, n, n))).toBe(0);
    for (let r = 0; r < rows; r++) for (let i = 1; i < n; i++) expect(sorted[r * n + i]).toBeGreaterThanOrEqual(sorted[r * n + i - 1]);
    expect(maxAbsDiff(sortRanksKernel(backend, x, sorted, perm, rows, n), sortRanksReference(perm, rows, n))).toBe(0);
  });

  it('sorts a hand-written row with ties by index: [3, 1, 2, 1] → indices [1, 3, 2, 0], ranks [3, 0, 2, 1]', () => {
    const x = new Float32Array([3, 1, 2, 1]);
    expect(Array.from(argsortKernel(backend, x, 1, 4))).toEqual([1, 3, 2, 0]);
    const perm = argsortKernel(backend, x, 1, 4);
    const sorted = takeAlongRowsKernel(backend, x, perm, 1, 4, 4);
    expect(Array.from(sorted)).toEqual([1, 1, 2, 3]);
    expect(Array.from(sortRanksKernel(backend, x, sorted, perm, 1, 4))).toEqual([3, 0, 2, 1]);
  });

  it('ran on the backend it asked for (no silent gpu.js fallback)', () => {
    expect(backend.fallbacks()).toEqual([]);
  });
});
