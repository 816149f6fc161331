import { describe, expect, it } from 'vitest';
import { lit } from './codegen.js';
import { EXTREMES } from './kernel-cases.js';

describe('lit: every number becomes a literal that parses', () => {
  it('writes a float (a dot or an exponent), never Infinity or NaN, negatives in parentheses', () => {
    for (const x of EXTREMES) {
      const s = lit(x);
      expect(s, String(x)).not.toMatch(/Infinity|NaN|undefined/);
      expect(s, String(x)).toMatch(/^\(?-?(\d+\.\d*(e[+-]?\d+)?|\d+e[+-]?\d+)\)?$/);
    }
    expect(lit(1e300)).toBe('3.4e38');
    expect(lit(-1e300)).toBe('(-3.4e38)');
    expect(lit(1e-300)).toBe('0.00000000');
  });

  it('refuses NaN, which no kernel language spells the same way (WGSL rejects 0.0 / 0.0)', () => {
    expect(() => lit(NaN)).toThrow(/NaN reached kernel source/);
  });
  // that every literal compiles and stands for its float32 value, on every backend: kernel-cases.ts
});
