import { describe, expect, it } from 'vitest';
import { lit } from './codegen.js';
import { mapKernel } from './elementwise.js';
import { contiguousView } from './shape.js';
import { testBackends } from './test-backends.js';

/** The float32 a literal of x stands for: the nearest float32, saturated to ±3.4e38 past the range. */
function expected(x: number): number {
  const f = Math.fround(x);
  if (f === Infinity) return Math.fround(3.4e38);
  if (f === -Infinity) return Math.fround(-3.4e38);
  return f === 0 ? 0 : f;
}

const EXTREMES = [
  0, -0, 1, -1, 0.1, -2.5, 1e-7, 123456789, 1e21, -1e21,
  1e-38, 2 ** -149, 1e-45, 5e-324, 1e-300, -1e-300, // subnormal float32, and below it (0)
  3.4028234663852886e38, -3.4028234663852886e38, 3.5e38, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, // past it: saturate
  Infinity, -Infinity, NaN,
];

describe('lit: every number becomes a literal that parses', () => {
  it('writes a float (a dot or an exponent), never Infinity or NaN, negatives in parentheses', () => {
    for (const x of EXTREMES) {
      const s = lit(x);
      expect(s, String(x)).not.toMatch(/Infinity|NaN|undefined/);
      expect(s, String(x)).toMatch(/^\(?-?(\d+\.\d*(e[+-]?\d+)?|\d+e[+-]?\d+|\(?0\.0 \/ 0\.0\)?)\)?$/);
    }
    expect(lit(1e300)).toBe('3.4e38');
    expect(lit(-1e300)).toBe('(-3.4e38)');
    expect(lit(1e-300)).toBe('0.00000000');
  });

  describe.each(testBackends().map((b) => [b.name, b] as const))('on %s', (_, backend) => {
    it('every extreme value compiles in a kernel and stands for its float32 value', () => {
      const one = contiguousView(new Float32Array([1]), [1]);
      for (const x of EXTREMES) {
        const got = mapKernel(backend, { kernel: `r = x0 * ${lit(x)};`, reference: () => 0 }, [one]).data[0]!;
        if (Number.isNaN(x)) expect(got, 'NaN').toBeNaN();
        else expect(got === 0 ? 0 : got, String(x)).toBe(expected(x));
      }
    });
  });
});
