/**
 * Binary and ternary elementwise ops (NumPy broadcasting via mapKernel).
 * Comparisons return 1 or 0.
 */
import type { ElementwiseOp } from './elementwise.js';

export const BINARY = {
  add: { kernel: 'r = x0 + x1;', reference: (a, b) => a + b },
  sub: { kernel: 'r = x0 - x1;', reference: (a, b) => a - b },
  mul: { kernel: 'r = x0 * x1;', reference: (a, b) => a * b },
  div: { kernel: 'r = x0 / x1;', reference: (a, b) => a / b },
  maximum: { kernel: 'r = x0 >= x1 ? x0 : x1;', reference: (a, b) => (a >= b ? a : b) },
  minimum: { kernel: 'r = x0 <= x1 ? x0 : x1;', reference: (a, b) => (a <= b ? a : b) },
  pow: { kernel: 'r = Math.pow(x0, x1);', reference: Math.pow },
  eq: { kernel: 'r = x0 == x1 ? 1.0 : 0.0;', reference: (a, b) => (a === b ? 1 : 0) },
  ne: { kernel: 'r = x0 != x1 ? 1.0 : 0.0;', reference: (a, b) => (a !== b ? 1 : 0) },
  lt: { kernel: 'r = x0 < x1 ? 1.0 : 0.0;', reference: (a, b) => (a < b ? 1 : 0) },
  le: { kernel: 'r = x0 <= x1 ? 1.0 : 0.0;', reference: (a, b) => (a <= b ? 1 : 0) },
  gt: { kernel: 'r = x0 > x1 ? 1.0 : 0.0;', reference: (a, b) => (a > b ? 1 : 0) },
  ge: { kernel: 'r = x0 >= x1 ? 1.0 : 0.0;', reference: (a, b) => (a >= b ? 1 : 0) },
} satisfies Record<string, ElementwiseOp>;

export type BinaryName = keyof typeof BINARY;

/** where(cond, a, b): a where cond != 0, else b. */
export const WHERE: ElementwiseOp = {
  kernel: 'r = x0 != 0.0 ? x1 : x2;',
  reference: (c, a, b) => (c !== 0 ? a : b),
};
