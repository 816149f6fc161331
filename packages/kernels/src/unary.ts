/**
 * Unary elementwise ops. Each entry: gpu.js statements (`x0` in, `r` out)
 * beside the same math in TypeScript. exp, erf and tanh come from
 * transcendental.ts, which picks the kernel source per backend. GELU is
 * fused with the bias before it, forward and backward (./gelu.ts).
 */
import type { BackendName } from './backend.js';
import { lit } from './codegen.js';
import type { ElementwiseOp } from './elementwise.js';
import { erfReference, erfSource, expSource, tanhSource } from './transcendental.js';

export const UNARY = {
  neg: { name: 'neg', kernel: 'r = -x0;', reference: (x) => -x },
  exp: { name: 'exp', kernel: (b: BackendName) => `${expSource(b, 'x0', 'ex')}\n  r = ex;`, reference: Math.exp },
  log: { name: 'log', kernel: 'r = Math.log(x0);', reference: Math.log },
  sqrt: { name: 'sqrt', kernel: 'r = Math.sqrt(x0);', reference: Math.sqrt },
  rsqrt: { name: 'rsqrt', kernel: 'r = 1.0 / Math.sqrt(x0);', reference: (x) => 1 / Math.sqrt(x) },
  tanh: { name: 'tanh', kernel: (b: BackendName) => `${tanhSource(b, 'x0', 'th')}\n  r = th;`, reference: Math.tanh },
  erf: { name: 'erf', kernel: (b: BackendName) => `${erfSource(b, 'x0', 'ef')}\n  r = ef;`, reference: erfReference },
  relu: { name: 'relu', kernel: 'r = x0 > 0.0 ? x0 : 0.0;', reference: (x) => (x > 0 ? x : 0) },
  sigmoid: { name: 'sigmoid', kernel: (b: BackendName) => `${expSource(b, '-x0', 'ex')}\n  r = 1.0 / (1.0 + ex);`, reference: (x) => 1 / (1 + Math.exp(-x)) },
  abs: { name: 'abs', kernel: 'r = Math.abs(x0);', reference: Math.abs },
  sign: { name: 'sign', kernel: 'r = x0 > 0.0 ? 1.0 : (x0 < 0.0 ? -1.0 : 0.0);', reference: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) },
  /** 1 where x > 0, else 0: the derivative of relu. */
  step: { name: 'step', kernel: 'r = x0 > 0.0 ? 1.0 : 0.0;', reference: (x) => (x > 0 ? 1 : 0) },
  copy: { name: 'copy', kernel: 'r = x0;', reference: (x) => x },
} satisfies Record<string, ElementwiseOp>;

export type UnaryName = keyof typeof UNARY;

/**
 * x^p for a scalar p (p baked into the kernel). Integer powers of negative
 * x follow JavaScript's Math.pow (−2³ = −8): WGSL's pow is exp2(p·log2 x),
 * undefined for x < 0, so the kernel raises |x| and puts the sign back.
 */
export function powScalarOp(p: number): ElementwiseOp {
  if (p === 2) return { name: 'pow(2)', kernel: 'r = x0 * x0;', reference: (x) => x * x };
  if (p === 1) return UNARY.copy;
  if (p === 3) return { name: 'pow(3)', kernel: 'r = x0 * x0 * x0;', reference: (x) => x * x * x };
  if (p === -1) return { name: 'pow(-1)', kernel: 'r = 1.0 / x0;', reference: (x) => 1 / x };
  if (!Number.isInteger(p)) return { name: `pow(${p})`, kernel: `r = Math.pow(x0, ${lit(p)});`, reference: (x) => Math.pow(x, p) };
  const odd = Math.abs(p) % 2 === 1;
  return {
    name: `pow(${p})`,
    kernel: `r = Math.pow(Math.abs(x0), ${lit(p)});${odd ? ' if (x0 < 0.0) { r = -r; }' : ''}`,
    reference: (x) => Math.pow(x, p),
  };
}

/** min(max(x, lo), hi). */
export function clampOp(lo: number, hi: number): ElementwiseOp {
  return {
    name: `clamp(${lo}, ${hi})`,
    kernel: `r = x0 < ${lit(lo)} ? ${lit(lo)} : (x0 > ${lit(hi)} ? ${lit(hi)} : x0);`,
    reference: (x) => (x < lo ? lo : x > hi ? hi : x),
  };
}

/** 1 where lo <= x <= hi else 0: the derivative of clamp. */
export function insideOp(lo: number, hi: number): ElementwiseOp {
  return {
    name: `inside(${lo}, ${hi})`,
    kernel: `r = (x0 >= ${lit(lo)} && x0 <= ${lit(hi)}) ? 1.0 : 0.0;`,
    reference: (x) => (x >= lo && x <= hi ? 1 : 0),
  };
}
