import { describe, expect, it } from 'vitest';
import { mapKernel } from './elementwise.js';
import { contiguousView } from './shape.js';
import { seededFloats, testBackends } from './testing.js';
import { erfReference } from './transcendental.js';
import { UNARY } from './unary.js';

/** Max relative error of the kernel's op over `x` against a float64 oracle (where the oracle is a normal float32). */
function maxRelError(got: Float32Array, x: Float32Array, oracle: (v: number) => number): { err: number; at: number } {
  let err = 0;
  let at = NaN;
  for (let i = 0; i < x.length; i++) {
    const want = oracle(x[i]);
    if (Math.abs(want) < 1.2e-38) continue;
    const e = Math.abs(got[i] - want) / Math.abs(want);
    if (!(e <= err)) { err = e; at = x[i]; }
  }
  return { err, at };
}

const grid = (lo: number, hi: number, n: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
const join = (...xs: Float32Array[]) => Float32Array.from(xs.flatMap((x) => Array.from(x)));

describe('erfReference (the float64 oracle)', () => {
  it('matches tabulated erf to 1e-10', () => {
    const table: [number, number][] = [
      [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527],
      [-1.5, -0.9661051464753108], [2.5, 0.9995930479825550], [3, 0.9999779095030014], [4.5, 0.9999999998033839],
    ];
    for (const [x, e] of table) expect(Math.abs(erfReference(x) - e)).toBeLessThan(1e-10);
  });
});

// the ranges the ops use: softmax's exp(x − max) ≤ 0 (and sigmoid's exp(−x) above it), GELU's erf and tanh over the reals
const CASES = [
  { op: 'exp', x: join(grid(-87.3, 0, 40_000), seededFloats(4000, 1, -20, 0), grid(0, 88, 4000)), oracle: Math.exp },
  { op: 'erf', x: join(grid(-6, 6, 40_000), seededFloats(4000, 2, -1.2, 1.2)), oracle: erfReference },
  { op: 'tanh', x: join(grid(-12, 12, 40_000), seededFloats(4000, 3, -1, 1)), oracle: Math.tanh },
] as const;

describe.each(testBackends().map((b) => [b.name, b] as const))('exp, erf and tanh in kernels on %s', (_, backend) => {
  it.each(CASES)('$op within 2e-7 relative error of the float64 value', ({ op, x, oracle }) => {
    const got = backend.readSync(mapKernel(backend, UNARY[op], [contiguousView(backend.upload(x), [x.length])]).data);
    const { err, at } = maxRelError(got, x, oracle);
    expect(err, `worst at x = ${at}`).toBeLessThanOrEqual(2e-7);
  });

  it('exp below float32\'s normal range is 0 or subnormal (never NaN), and exp(0) is 1', () => {
    const x = new Float32Array([-88, -100, -1e4, -Infinity, 0]);
    const y = Array.from(backend.readSync(mapKernel(backend, UNARY.exp, [contiguousView(backend.upload(x), [5])]).data));
    for (const v of y.slice(0, 4)) expect(v >= 0 && v < 1.2e-38, String(v)).toBe(true);
    expect(y[4]).toBe(1);
  });

  it('webasm kernels call no JavaScript Math import for exp, erf, tanh', () => {
    if (backend.name !== 'webasm') return;
    for (const op of ['exp', 'erf', 'tanh', 'sigmoid'] as const) {
      const k = UNARY[op].kernel;
      const source = typeof k === 'string' ? k : k(backend.name);
      expect(source, op).not.toMatch(/Math\.(exp|tanh|log|pow)\(/);
    }
    expect(backend.fallbacks()).toEqual([]);
  });
});
