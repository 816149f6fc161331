/**
 * exp, erf and tanh as gpu.js statements a kernel source inlines.
 *
 * gpu.js's WebAssembly has no exp or tanh instruction: `Math.exp` in a
 * webasm kernel is a JavaScript import called once per SIMD lane. On webasm
 * these are polynomials in f32 arithmetic that stay in the kernel's SIMD
 * code; on cpu (V8's own Math), headlessgl and webgpu (GLSL and WGSL
 * builtins) `Math.exp` and `Math.tanh` are native and kept. Measured relative
 * error against Math (float64), in f32 arithmetic (the tests sweep these ranges):
 *
 * - exp(x): x = n·ln2 + r, |r| ≤ ln2/2 (Cody–Waite: ln2 split in two so n·ln2_hi
 *   is exact), exp(r) = 1 + r + r²·P(r) with P of degree 4 (least-squares fit on
 *   Chebyshev nodes), times 2^n built from the 7 bits of |n| ≤ 127 by exact
 *   multiplications by 2^(±2^k) (k ≤ 6: a subnormal 2^−128 factor would cost a
 *   CPU microcode assist per lane, which doubled the kernel's time).
 *   ≤ 8e-8 on [−87.3, 88]; 0 below −87.33 (exp < 1.2e−38).
 * - erf(x): |x| < 1, x + x·Q(x²) (degree 7 in x²; the leading x kept exact);
 *   |x| ≥ 1, 1 − exp(−x²)·R(t), t = 1/(1 + x/2), R of degree 8 (fit to
 *   erfc(x)·exp(x²) on [1, 4]); 1 beyond 4. ≤ 1.6e-7 over the reals.
 * - tanh(x): |x| < 0.9, x + x·x²·S(x²) (degree 7 in x²); else
 *   (1 − e)/(1 + e), e = exp(−2|x|). ≤ 1.2e-7 over the reals.
 *
 * Each function returns statements that declare `const <out>` (and helper
 * locals prefixed `<out>_`), for `x` any gpu.js expression.
 */
import type { BackendName } from './backend.js';
import { lit } from './codegen.js';

/** Where Math.exp / Math.tanh inside a kernel are native: everywhere but gpu.js's WebAssembly. */
export function nativeTranscendentals(backend: BackendName): boolean {
  return backend !== 'webasm';
}

const EXP_P = [0.49999988079071045, 0.166665181517601, 0.04166953265666962, 0.008368915878236294, 0.0013751407386735082];
const ERF_Q = [
  0.128379225730896, -0.37612637877464294, 0.11283784359693527, -0.0268655177205801,
  0.005221261642873287, -0.000848726718686521, 0.00011288172390777618, -9.728401892061811e-06,
];
const ERFC_R = [
  -0.00037477383739314973, 0.28823229670524597, 0.2379630208015442, 0.4285372495651245, -0.2899540662765503,
  0.8367920517921448, -0.7205473780632019, 0.24842175841331482, -0.02904844656586647,
];
const TANH_S = [
  -0.33333322405815125, 0.1333298534154892, -0.05393027514219284, 0.021667711436748505,
  -0.008272858336567879, 0.002590567572042346, -0.0004583496192935854,
];

/** c[0] + t·(c[1] + t·(…)), Horner's rule as one expression. */
function horner(c: readonly number[], t: string): string {
  let s = lit(c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) s = `(${s} * ${t} + ${lit(c[i])})`;
  return s;
}

export function expSource(backend: BackendName, x: string, out: string): string {
  if (nativeTranscendentals(backend)) return `const ${out} = Math.exp(${x});`;
  const v = (s: string) => `${out}_${s}`;
  const lines = [
    `const ${v('i')} = ${x};`,
    `const ${v('x')} = Math.min(Math.max(${v('i')}, -87.33), 88.0);`,
    `const ${v('n')} = Math.floor(${v('x')} * 1.44269504 + 0.5);`,
    `const ${v('r')} = ${v('x')} - ${v('n')} * 0.693359375 - ${v('n')} * (-2.12194440e-4);`,
    `const ${v('p')} = ${v('r')} * ${v('r')} * ${horner(EXP_P, v('r'))} + ${v('r')} + 1.0;`,
    // 2^n: f_k = 2^(±2^k), multiplied in where bit k of |n| ≤ 127 is set (every product is exact)
    `const ${v('a')} = Math.abs(${v('n')});`,
    `const ${v('f0')} = ${v('n')} < 0.0 ? 0.5 : 2.0;`,
    `let ${v('s')} = ((${v('a')}|0) & 1) !== 0 ? ${v('f0')} : 1.0;`,
  ];
  for (let k = 1; k < 7; k++) {
    lines.push(`const ${v(`f${k}`)} = ${v(`f${k - 1}`)} * ${v(`f${k - 1}`)};`);
    lines.push(`${v('s')} = ((${v('a')}|0) & ${1 << k}) !== 0 ? ${v('s')} * ${v(`f${k}`)} : ${v('s')};`);
  }
  lines.push(`const ${out} = ${v('i')} < -87.33 ? 0.0 : ${v('p')} * ${v('s')};`);
  return lines.join('\n  ');
}

/**
 * erf and tanh are odd, with a small-|x| polynomial in z = x² beside a form
 * in exp(−…) for large |x|: both start from x, |x| and x², and end by picking
 * the polynomial below `cut` and the sign-corrected large form `l` above it.
 */
function oddSplit(x: string, out: string, cut: number, small: (xv: string, z: string) => string, large: string[]): string {
  const v = (s: string) => `${out}_${s}`;
  const [xv, a, z, l] = [v('x'), v('a'), v('z'), v('l')];
  return [
    `const ${xv} = ${x};`,
    `const ${a} = Math.abs(${xv});`,
    `const ${z} = ${xv} * ${xv};`,
    ...large,
    `const ${out} = ${a} < ${lit(cut)} ? ${small(xv, z)} : (${xv} < 0.0 ? -${l} : ${l});`,
  ].join('\n  ');
}

export function erfSource(backend: BackendName, x: string, out: string): string {
  const v = (s: string) => `${out}_${s}`;
  return oddSplit(x, out, 1, (xv, z) => `${xv} + ${xv} * ${horner(ERF_Q, z)}`, [
    `const ${v('c')} = Math.min(${v('a')}, 4.0);`,
    `const ${v('t')} = 1.0 / (1.0 + 0.5 * ${v('c')});`,
    expSource(backend, `-(${v('c')} * ${v('c')})`, v('e')),
    `const ${v('l')} = 1.0 - ${v('e')} * ${horner(ERFC_R, v('t'))};`,
  ]);
}

export function tanhSource(backend: BackendName, x: string, out: string): string {
  if (nativeTranscendentals(backend)) return `const ${out} = Math.tanh(${x});`;
  const v = (s: string) => `${out}_${s}`;
  return oddSplit(x, out, 0.9, (xv, z) => `${xv} + ${xv} * (${z} * ${horner(TANH_S, z)})`, [
    expSource(backend, `-2.0 * ${v('a')}`, v('e')),
    `const ${v('l')} = (1.0 - ${v('e')}) / (1.0 + ${v('e')});`,
  ]);
}

/**
 * erf in float64, to about 1e-15: the Maclaurin series below 2.5, above it
 * erfc's continued fraction erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))).
 * The oracle for the kernels' erf (JavaScript's Math has none).
 */
export function erfReference(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 60; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  let k = a;
  for (let n = 80; n >= 1; n--) k = a + n / 2 / k;
  return Math.sign(x) * (1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * k));
}
