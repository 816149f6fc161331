/**
 * Binary and ternary elementwise ops (NumPy broadcasting via mapKernel).
 * Comparisons return 1 or 0.
 */
import type { ElementwiseOp } from './elementwise.js';

export const BINARY = {
  add: { name: 'add', kernel: 'r = x0 + x1;', reference: (a, b) => a + b },
  sub: { name: 'sub', kernel: 'r = x0 - x1;', reference: (a, b) => a - b },
  mul: { name: 'mul', kernel: 'r = x0 * x1;', reference: (a, b) => a * b },
  div: { name: 'div', kernel: 'r = x0 / x1;', reference: (a, b) => a / b },
  maximum: { name: 'maximum', kernel: 'r = x0 >= x1 ? x0 : x1;', reference: (a, b) => (a >= b ? a : b) },
  minimum: { name: 'minimum', kernel: 'r = x0 <= x1 ? x0 : x1;', reference: (a, b) => (a <= b ? a : b) },
  /**
   * a^b as JavaScript's Math.pow for integer b of negative a (WGSL's pow is exp2(b·log2 a), undefined for
   * a < 0); a fractional power of a negative number is outside the domain (NaN in JavaScript,
   * undefined in WGSL).
   */
  pow: {
    name: 'pow',
    kernel: `r = Math.pow(Math.abs(x0), x1);
  if (x0 < 0.0) {
    if (Math.floor(x1) == x1) {
      if (Math.floor(x1 * 0.5) * 2.0 != x1) { r = -r; }
    } else { r = Math.pow(x0, x1); }
  }`,
    reference: Math.pow,
  },
  eq: { name: 'eq', kernel: 'r = x0 == x1 ? 1.0 : 0.0;', reference: (a, b) => (a === b ? 1 : 0) },
  ne: { name: 'ne', kernel: 'r = x0 != x1 ? 1.0 : 0.0;', reference: (a, b) => (a !== b ? 1 : 0) },
  lt: { name: 'lt', kernel: 'r = x0 < x1 ? 1.0 : 0.0;', reference: (a, b) => (a < b ? 1 : 0) },
  le: { name: 'le', kernel: 'r = x0 <= x1 ? 1.0 : 0.0;', reference: (a, b) => (a <= b ? 1 : 0) },
  gt: { name: 'gt', kernel: 'r = x0 > x1 ? 1.0 : 0.0;', reference: (a, b) => (a > b ? 1 : 0) },
  ge: { name: 'ge', kernel: 'r = x0 >= x1 ? 1.0 : 0.0;', reference: (a, b) => (a >= b ? 1 : 0) },
} satisfies Record<string, ElementwiseOp>;

export type BinaryName = keyof typeof BINARY;

/** lerp(start, end, weight) = start + (end − start)·weight: the explainer's Φ = P + (x − P)·M in one kernel. */
export const LERP: ElementwiseOp = {
  name: 'lerp',
  kernel: 'r = x0 + (x1 - x0) * x2;',
  reference: (s, e, w) => s + (e - s) * w,
};

/** where(cond, a, b): a where cond != 0, else b. */
export const WHERE: ElementwiseOp = {
  name: 'where',
  kernel: 'r = x0 != 0.0 ? x1 : x2;',
  reference: (c, a, b) => (c !== 0 ? a : b),
};
