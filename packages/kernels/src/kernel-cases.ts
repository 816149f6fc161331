/**
 * Every kernel against its TypeScript reference, as cases that run on any
 * backend: inputs are uploaded, results read back asynchronously. The host
 * backends run them in kernels.test.ts; webgpu runs them in Chromium
 * (tests/webgpu.test.ts). Not part of the package's API.
 *
 * A check passes when max |got − want| ≤ tol · scale, with scale 1 ('abs')
 * or max(1, max |want|) ('rel'). Where WebGPU's arithmetic is allowed to
 * differ (WGSL's exp, log, cos and division are not correctly rounded), the
 * case states the webgpu tolerance and why.
 */
import { adamKernel, adamReference, type AdamHyper, type AdamState } from './adam.js';
import type { Backend, TensorData } from './backend.js';
import { geluBackwardKernel, geluKernel, geluReference } from './gelu.js';
import { BINARY, LERP, WHERE } from './binary.js';
import { concatKernel, concatReference, gatherKernel, gatherReference, scatterAddKernel } from './concat.js';
import { conv2dGradReference, conv2dInputGradKernel, conv2dKernel, conv2dReference, conv2dWeightGradKernel, type Conv2dShape } from './conv2d.js';
import { mapKernel, mapReference } from './elementwise.js';
import { layerNormBackwardKernel, layerNormBackwardReference, layerNormKernel, layerNormReference, type LayerNormGrads } from './layer-norm.js';
import { MATMUL_TUNING, matmulKernel, matmulReference } from './matmul.js';
import type { MatmulShape } from './matmul-shape.js';
import { padKernel, padReference } from './pad.js';
import { normalKernel, normalReference, uniformKernel, uniformReference } from './random.js';
import { reduceKernel, reduceReference, reduceShape, type ReduceOp } from './reduce.js';
import { resizeBilinearGradKernel, resizeBilinearGradReference, resizeBilinearKernel, resizeBilinearReference } from './resize.js';
import { contiguousView, type View } from './shape.js';
import { smoothMaxPoolGradKernel, smoothMaxPoolGradReference, smoothMaxPoolKernel, smoothMaxPoolReference, type SmoothMaxPoolShape } from './smooth-max-pool.js';
import { softmaxKernel, softmaxReference } from './softmax.js';
import { argsortKernel, argsortReference, sortRanksKernel, sortRanksReference, takeAlongRowsKernel, takeAlongRowsReference } from './sort.js';
import { maxAbsDiff, seededFloats } from './testing.js';
import { UNARY, clampOp, powScalarOp } from './unary.js';
import { lit } from './codegen.js';

export interface Check {
  what: string;
  got: Float32Array;
  want: Float32Array;
  tol: number;
  scale: 'abs' | 'rel';
}

export interface KernelCase {
  name: string;
  run(backend: Backend): Promise<Check[]>;
}

/** How far a check is from its bound: error / (tol · scale); passes when ≤ 1. */
export function checkError(c: Check): { error: number; bound: number } {
  const scale = c.scale === 'abs' ? 1 : Math.max(1, ...Array.from(c.want, Math.abs));
  return { error: maxAbsDiff(c.got, c.want), bound: c.tol * scale };
}

/** Run `kernel` on uploaded inputs and read its result back, releasing everything. */
async function on(backend: Backend, inputs: Float32Array[], kernel: (...xs: TensorData[]) => TensorData): Promise<Float32Array> {
  const up = inputs.map((x) => backend.upload(x));
  const out = kernel(...up);
  try {
    return await backend.read(out);
  } finally {
    up.forEach((d) => backend.release(d));
    backend.release(out);
  }
}

/** The kernels fn launches (a fused kernel must launch as many as it claims). */
function launches(b: Backend, fn: () => void): Float32Array {
  const before = b.stats.kernelCalls;
  fn();
  return Float32Array.of(b.stats.kernelCalls - before);
}

const check = (what: string, got: Float32Array, want: Float32Array, tol: number, scale: Check['scale'] = 'rel'): Check => ({ what, got, want, tol, scale });
const gpu = (b: Backend) => b.name === 'webgpu';

const permuted = <D>(data: D, shape: number[], perm: number[]): View<D> => {
  const base = contiguousView(data, shape);
  return { data, shape: perm.map((p) => shape[p]), strides: perm.map((p) => base.strides[p]), offset: 0 };
};

/** Numbers at and past float32's edges (as they reach kernel source through lit()). */
export const EXTREMES = [
  0, -0, 1, -1, 0.1, -2.5, 1e-7, 123456789, 1e21, -1e21,
  1e-38, 2 ** -149, 1e-45, 5e-324, 1e-300, -1e-300, // subnormal float32, and below it (0)
  3.4028234663852886e38, -3.4028234663852886e38, 3.5e38, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, // past it: saturate
  Infinity, -Infinity,
];

/** The float32 a literal of x stands for: the nearest float32, saturated to ±3.4e38 past the range. */
function literalValue(x: number): number {
  const f = Math.fround(x);
  if (f === Infinity) return Math.fround(3.4e38);
  if (f === -Infinity) return Math.fround(-3.4e38);
  return f === 0 ? 0 : f;
}

const MATMULS: MatmulShape[] = [
  { batch: 1, m: 5, k: 7, n: 3 },
  { batch: 3, m: 4, k: 9, n: 6, transB: true },
  { batch: 2, m: 6, k: 5, n: 4, transA: true, broadcastB: true },
  { batch: 2, m: 1, k: 3, n: 1, transA: true, transB: true, broadcastA: true },
  { batch: 3, m: 2, k: 1, n: 3, broadcastB: true },
  { batch: 1, m: 13, k: 37, n: 21, transA: true },
  { batch: 4, m: 9, k: 8, n: 7, transB: true, broadcastB: true },
  { batch: 2, m: 4, k: 5, n: 4 },
  // more than one k block of the WebAssembly kernel (KC = 256), ragged row and column panels
  { batch: 1, m: 10, k: 300, n: 19, transB: true },
  { batch: 2, m: 7, k: 520, n: 9, transA: true },
];

const CONVS: Conv2dShape[] = [
  { n: 2, c: 4, h: 7, w: 6, oc: 6, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 1 },
  { n: 1, c: 3, h: 9, w: 8, oc: 3, kh: 3, kw: 2, strideH: 2, strideW: 3, padH: 1, padW: 0, groups: 3 },
  { n: 1, c: 2, h: 8, w: 8, oc: 4, kh: 4, kw: 4, strideH: 4, strideW: 4, padH: 0, padW: 0, groups: 2 },
];

const unaryCases: KernelCase[] = Object.entries(UNARY).map(([name, op]) => ({
  name: `unary ${name}`,
  async run(b) {
    const lo = name === 'log' || name === 'sqrt' || name === 'rsqrt' ? 0.01 : -3;
    const x = seededFloats(3 * 5 * 7, 11, lo, 3);
    const view = contiguousView(x, [3, 5, 7]);
    const got = await on(b, [x], (d) => mapKernel(b, op, [contiguousView(d, [3, 5, 7])]).data);
    return [check(name, got, mapReference(op, [view]).data, 1e-5)];
  },
}));

const binaryCases: KernelCase[] = Object.entries(BINARY).map(([name, op]) => ({
  name: `binary ${name} with broadcasting and a permuted input`,
  async run(b) {
    const a = seededFloats(4 * 3 * 5, 1, 0.5, 2);
    const c = seededFloats(4, 2, 0.5, 2);
    const views = <D>(da: D, dc: D) => [permuted(da, [4, 3, 5], [1, 0, 2]), contiguousView(dc, [4, 1])];
    const got = await on(b, [a, c], (da, dc) => mapKernel(b, op, views(da, dc)).data);
    return [check(name, got, mapReference(op, views(a, c)).data, 1e-5, 'abs')];
  },
}));

const SORTS: [rows: number, n: number][] = [[1, 1], [3, 7], [2, 16], [4, 100], [2, 1300]];

const SMOOTH_MAX_POOLS: SmoothMaxPoolShape[] = [
  { planes: 2, h: 3, w: 4, oh: 6, ow: 8, step: 2, radius: 1, coldness: 20, pad: 0 },
  { planes: 1, h: 5, w: 5, oh: 14, ow: 13, step: 3, radius: 2, coldness: 5, pad: 0 },
  { planes: 3, h: 4, w: 4, oh: 8, ow: 8, step: 2, radius: 4, coldness: 20, pad: 0 },
  { planes: 2, h: 3, w: 3, oh: 10, ow: 10, step: 2, radius: 2, coldness: 20, pad: 1 },
];

export const KERNEL_CASES: KernelCase[] = [
  ...unaryCases,
  ...binaryCases,
  {
    name: 'where, lerp, clamp, pow by scalar, size-1 axes and offsets',
    async run(b) {
      const [c, a, bb] = [seededFloats(6, 3), seededFloats(6, 4), seededFloats(20, 5)];
      const views = <D>(dc: D, da: D, db: D): View<D>[] => [
        contiguousView(dc, [2, 3, 1]), contiguousView(da, [1, 3, 2]), { data: db, shape: [2, 1, 2], strides: [7, 0, 1], offset: 3 },
      ];
      const checks = [
        check('where', await on(b, [c, a, bb], (...d) => mapKernel(b, WHERE, views(d[0], d[1], d[2])).data), mapReference(WHERE, views(c, a, bb)).data, 0, 'abs'),
        check('lerp', await on(b, [c, a, bb], (...d) => mapKernel(b, LERP, views(d[0], d[1], d[2])).data), mapReference(LERP, views(c, a, bb)).data, 1e-6, 'abs'),
      ];
      const x = seededFloats(50, 6, -2, 2);
      // relative to the largest value: |x|^5 reaches 32, |x|^−2 reaches 1/x_min²
      for (const op of [clampOp(-0.5, 0.75), powScalarOp(3), powScalarOp(2), powScalarOp(4), powScalarOp(5), powScalarOp(-2), powScalarOp(-1)]) {
        checks.push(check(op.name, await on(b, [x], (d) => mapKernel(b, op, [contiguousView(d, [50])]).data), mapReference(op, [contiguousView(x, [50])]).data, 1e-5));
      }
      return checks;
    },
  },
  {
    // a fractional power of a negative number is NaN in JavaScript and undefined in WGSL: not tested
    name: 'pow of negative bases with integer exponents, as Math.pow',
    async run(b) {
      const base = Float32Array.from([-2, -1.5, -0.5, 0.5, 1.5, -3, 2, -1.25]);
      const expo = Float32Array.from([3, 2, -1, 2.5, 4, 0, -2, 5]);
      const views = <D>(da: D, db: D) => [contiguousView(da, [8]), contiguousView(db, [8])];
      const got = await on(b, [base, expo], (da, db) => mapKernel(b, BINARY.pow, views(da, db)).data);
      const x = Float32Array.from([0.5, 1.5, 2, 2.5]);
      const frac = powScalarOp(2.5);
      return [
        check('a^b', got, mapReference(BINARY.pow, views(base, expo)).data, 1e-5),
        check('x^2.5', await on(b, [x], (d) => mapKernel(b, frac, [contiguousView(d, [4])]).data), mapReference(frac, [contiguousView(x, [4])]).data, 1e-5),
      ];
    },
  },
  ...(['sum', 'max', 'min', 'argmax'] as ReduceOp[]).map((op): KernelCase => ({
    name: `reduce ${op} over every axis of [3,4,5]`,
    async run(b) {
      const x = seededFloats(60, 7);
      const checks: Check[] = [];
      for (let axis = 0; axis < 3; axis++) {
        const s = reduceShape([3, 4, 5], axis);
        checks.push(check(`axis ${axis}`, await on(b, [x], (d) => reduceKernel(b, op, d, s)), reduceReference(op, x, s), 1e-6, 'abs'));
      }
      return checks;
    },
  })),
  {
    name: 'long sums keep float32 accuracy (Kahan)',
    async run(b) {
      const x = seededFloats(100_000, 3, 0, 1);
      const exact = Array.from(x).reduce((a, v) => a + v, 0);
      const got = await on(b, [x], (d) => reduceKernel(b, 'sum', d, { outer: 1, reduce: 100_000, inner: 1 }));
      return [check('sum of 1e5 values, relative', Float32Array.of(got[0] / exact), Float32Array.of(1), 1e-6, 'abs')];
    },
  },
  {
    name: 'softmax and log-softmax',
    async run(b) {
      const x = seededFloats(7 * 13, 5, -20, 20);
      return [
        check('softmax', await on(b, [x], (d) => softmaxKernel(b, d, 7, 13)), softmaxReference(x, 7, 13), 1e-6),
        check('logSoftmax', await on(b, [x], (d) => softmaxKernel(b, d, 7, 13, true)), softmaxReference(x, 7, 13, true), 1e-5),
      ];
    },
  },
  {
    name: 'layer norm with and without affine',
    async run(b) {
      const [x, g, bb] = [seededFloats(6 * 10, 9, -3, 3), seededFloats(10, 1), seededFloats(10, 2)];
      const checks: Check[] = [];
      for (const affine of [true, false]) {
        const want = layerNormReference(x, affine ? g : null, affine ? bb : null, 6, 10, 1e-5);
        const up = [x, g, bb].map((v) => b.upload(v));
        const got = layerNormKernel(b, up[0], affine ? up[1] : null, affine ? up[2] : null, 6, 10, 1e-5);
        checks.push(check(`y (affine ${affine})`, await b.read(got.y), want.y, 1e-5), check(`rstd (affine ${affine})`, await b.read(got.rstd), want.rstd, 1e-5));
        [...up, got.y, got.mean, got.rstd].forEach((d) => b.release(d));
      }
      return checks;
    },
  },
  ...MATMULS.map((s): KernelCase => ({
    name: `matmul ${JSON.stringify(s)}`,
    async run(b) {
      const x = seededFloats((s.broadcastA ? 1 : s.batch) * s.m * s.k, 1);
      const y = seededFloats((s.broadcastB ? 1 : s.batch) * s.k * s.n, 2);
      const want = matmulReference(x, y, s);
      // the backend's default (webasm: the WebAssembly SIMD module) and the gpu.js kernel, its definition
      return [
        check('C', await on(b, [x, y], (da, db) => matmulKernel(b, da, db, s)), want, 1e-5),
        check('C (gpu.js kernel)', await on(b, [x, y], (da, db) => matmulKernel(b, da, db, s, MATMUL_TUNING)), want, 1e-5),
      ];
    },
  })),
  ...CONVS.map((s): KernelCase => ({
    name: `conv2d forward, input and weight gradients ${JSON.stringify(s)}`,
    async run(b) {
      const x = seededFloats(s.n * s.c * s.h * s.w, 3);
      const w = seededFloats(s.oc * (s.c / s.groups) * s.kh * s.kw, 4);
      const y = conv2dReference(x, w, s);
      const dy = seededFloats(y.length, 5);
      const ref = conv2dGradReference(dy, x, w, s);
      return [
        check('y', await on(b, [x, w], (dx, dw) => conv2dKernel(b, dx, dw, s)), y, 1e-5),
        check('dx', await on(b, [dy, w], (dd, dw) => conv2dInputGradKernel(b, dd, dw, s)), ref.dx, 1e-5),
        check('dw', await on(b, [dy, x], (dd, dx) => conv2dWeightGradKernel(b, dd, dx, s)), ref.dw, 1e-5),
      ];
    },
  })),
  ...[[4, 5, 9, 13], [16, 16, 64, 64], [12, 10, 5, 3], [7, 7, 7, 7]].map(([h, w, oh, ow]): KernelCase => ({
    name: `bilinear resize ${h}×${w} → ${oh}×${ow} and its gradient`,
    async run(b) {
      const s = { planes: 2, h, w, oh, ow };
      const x = seededFloats(2 * h * w, 6);
      const dy = seededFloats(2 * oh * ow, 7);
      return [
        check('y', await on(b, [x], (d) => resizeBilinearKernel(b, d, s)), resizeBilinearReference(x, s), 1e-6),
        check('dx', await on(b, [dy], (d) => resizeBilinearGradKernel(b, d, s)), resizeBilinearGradReference(dy, s), 1e-5),
      ];
    },
  })),
  {
    name: 'pad constant and reflect',
    async run(b) {
      const x = seededFloats(2 * 5 * 4, 8);
      const pads = [[0, 0], [2, 3], [3, 1]] as const;
      return [
        check('constant', await on(b, [x], (d) => padKernel(b, d, [2, 5, 4], pads, 'constant', 0.5)), padReference(x, [2, 5, 4], pads, 'constant', 0.5), 0, 'abs'),
        check('reflect', await on(b, [x], (d) => padKernel(b, d, [2, 5, 4], pads, 'reflect')), padReference(x, [2, 5, 4], pads, 'reflect'), 0, 'abs'),
      ];
    },
  },
  {
    name: 'concat (in rounds past 7 inputs), gather and its scatter-add gradient',
    async run(b) {
      const sizes = [1, 4, 2];
      const xs = sizes.map((sz, k) => seededFloats(2 * sz * 3, k + 1));
      const many = Array.from({ length: 10 }, (_, k) => seededFloats(2 * (k % 3 + 1) * 3, 20 + k));
      const manySizes = many.map((_, k) => k % 3 + 1);
      const x = seededFloats(2 * 5 * 3, 4);
      const idx = new Float32Array([4, 0, 0, 2]);
      const dy = seededFloats(2 * 4 * 3, 5);
      const scattered = new Float32Array(2 * 5 * 3);
      for (let o = 0; o < 2; o++) idx.forEach((k, t) => { for (let r = 0; r < 3; r++) scattered[(o * 5 + k) * 3 + r] += dy[(o * 4 + t) * 3 + r]; });
      return [
        check('concat', await on(b, xs, (...d) => concatKernel(b, d, sizes, 2, 3)), concatReference(xs, sizes, 2, 3), 0, 'abs'),
        check('concat of 10', await on(b, many, (...d) => concatKernel(b, d, manySizes, 2, 3)), concatReference(many, manySizes, 2, 3), 0, 'abs'),
        check('gather', await on(b, [x], (d) => gatherKernel(b, d, idx, 2, 5, 3)), gatherReference(x, idx, 2, 5, 3), 0, 'abs'),
        check('scatterAdd', await on(b, [dy], (d) => scatterAddKernel(b, d, idx, 2, 5, 3)), scattered, 1e-6, 'abs'),
      ];
    },
  },
  ...SORTS.map(([rows, n]): KernelCase => ({
    name: `argsort ${rows}×${n} (ties by index), the sorted values and the ranks`,
    async run(b) {
      const x = seededFloats(rows * n, n, -1, 1);
      // ties: every row repeats its first values, so the index tie-break is exercised
      for (let r = 0; r < rows; r++) for (let i = 0; i < Math.floor(n / 3); i++) x[r * n + n - 1 - i] = x[r * n + i];
      const want = argsortReference(x, rows, n);
      const xd = b.upload(x);
      const perm = argsortKernel(b, xd, rows, n);
      const sorted = takeAlongRowsKernel(b, xd, perm, rows, n, n);
      const ranks = sortRanksKernel(b, xd, perm, rows, n);
      try {
        const [p, v, rk] = await Promise.all([b.read(perm), b.read(sorted), b.read(ranks)]);
        return [
          check('permutation', p, want, 0, 'abs'),
          check('sorted values', v, takeAlongRowsReference(x, want, rows, n, n), 0, 'abs'),
          check('ranks (the inverse permutation)', rk, sortRanksReference(want, rows, n), 0, 'abs'),
        ];
      } finally {
        for (const d of [xd, perm, sorted, ranks]) b.release(d);
      }
    },
  })),
  {
    name: 'argsort of a hand-written row: [3, 1, 2, 1] → [1, 3, 2, 0], ranks [3, 0, 2, 1]',
    async run(b) {
      const x = new Float32Array([3, 1, 2, 1]);
      return [
        check('permutation', await on(b, [x], (d) => argsortKernel(b, d, 1, 4)), Float32Array.of(1, 3, 2, 0), 0, 'abs'),
        check('ranks', await on(b, [x, Float32Array.of(1, 3, 2, 0)], (d, p) => sortRanksKernel(b, d, p, 1, 4)), Float32Array.of(3, 0, 2, 1), 0, 'abs'),
      ];
    },
  },
  ...SMOOTH_MAX_POOLS.map((sh): KernelCase => ({
    name: `smooth max-pool and its gradient ${JSON.stringify(sh)}`,
    async run(b) {
      const d = 2 * sh.radius + 1;
      const x = seededFloats(sh.planes * sh.h * sh.w, 1, 0, 1);
      const wt = seededFloats(d * d * sh.oh * sh.ow, 2, 0, 1);
      const dy = seededFloats(sh.planes * sh.oh * sh.ow, 3);
      const want = smoothMaxPoolReference(x, wt, sh);
      const [xd, wd, gd] = [x, wt, dy].map((v) => b.upload(v));
      const fwd = smoothMaxPoolKernel(b, xd, wd, sh);
      const dx = smoothMaxPoolGradKernel(b, gd, xd, wd, fwd, sh);
      try {
        const [y, logNorm, grad] = await Promise.all([b.read(fwd.y), b.read(fwd.logNorm), b.read(dx)]);
        // the kernels' exp: webasm's polynomial (≤ 8e-8 relative), WGSL's exp (not correctly rounded)
        return [
          check('y', y, want.y, gpu(b) ? 1e-4 : 1e-5),
          check('log-normalizer', logNorm, want.logNorm, gpu(b) ? 1e-4 : 1e-5),
          check('gradient', grad, smoothMaxPoolGradReference(dy, x, wt, sh), gpu(b) ? 1e-3 : 1e-4),
        ];
      } finally {
        for (const v of [xd, wd, gd, fwd.y, fwd.logNorm, dx]) b.release(v);
      }
    },
  })),
  {
    name: 'uniform and normal random numbers match the TypeScript hash, and are seeded',
    async run(b) {
      const u = await on(b, [], () => uniformKernel(b, 5000, 42));
      const again = await on(b, [], () => uniformKernel(b, 5000, 42));
      const other = await on(b, [], () => uniformKernel(b, 5000, 43));
      const z = await on(b, [], () => normalKernel(b, 1000, 7));
      return [
        // the hash is exact integer arithmetic everywhere; only the final scaling rounds (1 ulp of 1.0;
        // WGSL division is within 2.5 ulp)
        check('uniform vs the hash', u, uniformReference(5000, 42), gpu(b) ? 3 * 2 ** -24 : 2 ** -23, 'abs'),
        check('the same seed, the same numbers', again, u, 0, 'abs'),
        check('another seed differs (the largest change is over 0.5)', Float32Array.of(maxAbsDiff(other, u) > 0.5 ? 1 : 0), Float32Array.of(1), 0, 'abs'),
        // Box–Muller through log, sqrt and cos: float32 on every backend, and WGSL's log and cos
        // carry up to 2^-21 and 2^-11 absolute error
        check('normal vs its reference', z, normalReference(1000, 7), gpu(b) ? 2e-3 : 1e-4, 'abs'),
      ];
    },
  },
  {
    // WGSL flushes subnormal floats to zero: there a subnormal literal may stand for 0
    name: 'every extreme number compiles as a literal and stands for its float32 value',
    async run(b) {
      const want = Float32Array.from(EXTREMES, literalValue);
      const got = new Float32Array(EXTREMES.length);
      for (const [i, x] of EXTREMES.entries()) {
        const op = { name: `times ${x}`, kernel: `r = x0 * ${lit(x)};`, reference: () => 0 };
        const v = (await on(b, [Float32Array.of(1)], (d) => mapKernel(b, op, [contiguousView(d, [1])]).data))[0];
        got[i] = gpu(b) && Math.abs(want[i]) < 1.2e-38 && v === 0 ? want[i] : v;
      }
      return [check('x · 1', got, want, 0, 'abs')];
    },
  },
  {
    name: 'fused: GELU(x + bias) and its gradient, one kernel each, match the unfused chain',
    async run(b) {
      const [rows, cols] = [7, 12];
      const [x, bias, g] = [seededFloats(rows * cols, 1, -6, 6), seededFloats(cols, 2), seededFloats(rows * cols, 3)];
      const checks: Check[] = [];
      for (const withBias of [true, false]) {
        const [dx, db, dg] = [x, bias, g].map((v) => b.upload(v));
        let y: TensorData = dx, grad: TensorData = dx;
        const k = launches(b, () => {
          y = geluKernel(b, dx, withBias ? db : null, cols);
          grad = geluBackwardKernel(b, dx, withBias ? db : null, dg, cols);
        });
        checks.push(
          check(`kernels (bias ${withBias})`, k, Float32Array.of(2), 0, 'abs'),
          check(`y (bias ${withBias})`, await b.read(y), geluReference(x, withBias ? bias : null, cols), 1e-6),
          check(`dx (bias ${withBias})`, await b.read(grad), geluReference(x, withBias ? bias : null, cols, g), 1e-6),
        );
        [dx, db, dg, y, grad].forEach((d) => b.release(d));
      }
      return checks;
    },
  },
  ...[
    { decoupled: false, weightDecay: 0, lo: 0, hi: 1 },
    { decoupled: false, weightDecay: 0.05, lo: -Infinity, hi: Infinity },
    { decoupled: true, weightDecay: 0.01, lo: -Infinity, hi: 0.5 },
  ].map((o): KernelCase => ({
    name: `fused: three Adam steps of one kernel each (one compiled kernel) match the composed update ${JSON.stringify(o)}`,
    async run(b) {
      const n = 37;
      let ref: AdamState = { p: seededFloats(n, 8, 0, 1), m: new Float32Array(n), v: new Float32Array(n) };
      let state: TensorData = b.upload(Float32Array.from([...ref.p, ...ref.m, ...ref.v]));
      const checks: Check[] = [];
      let compiles = 0;
      for (let step = 1; step <= 3; step++) {
        const h: AdamHyper = { lr: 0.2, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, ...o };
        const grad = seededFloats(n, 10 + step);
        const g = b.upload(grad);
        let next: TensorData = g;
        checks.push(check(`kernels at step ${step}`, launches(b, () => { next = adamKernel(b, state, g, h); }), Float32Array.of(1), 0, 'abs'));
        if (step > 1) checks.push(check(`compiles at step ${step}`, Float32Array.of(b.stats.compiles), Float32Array.of(compiles), 0, 'abs'));
        compiles = b.stats.compiles;
        ref = adamReference(ref, grad, h);
        const got = await b.read(next);
        checks.push(
          check(`m at step ${step}`, got.subarray(n, 2 * n), ref.m, 1e-6),
          check(`v at step ${step}`, got.subarray(2 * n), ref.v, 1e-6),
          check(`p at step ${step}`, got.subarray(0, n), ref.p, 1e-5),
        );
        [state, g].forEach((d) => b.release(d));
        state = next;
      }
      b.release(state);
      return checks;
    },
  })),
  {
    name: 'fused: layer norm backward in three kernels matches the composition',
    async run(b) {
      const [rows, cols] = [6, 10];
      const [x, g, gamma] = [seededFloats(rows * cols, 12, -3, 3), seededFloats(rows * cols, 13), seededFloats(cols, 14)];
      const checks: Check[] = [];
      for (const withGamma of [true, false]) {
        const [dx, dg, dgamma] = [x, g, gamma].map((v) => b.upload(v));
        const stats = layerNormKernel(b, dx, withGamma ? dgamma : null, null, rows, cols, 1e-5);
        const host = { mean: await b.read(stats.mean), rstd: await b.read(stats.rstd) };
        let got: LayerNormGrads = { dx, paramGrads: null };
        let frozen: LayerNormGrads = { dx, paramGrads: null };
        const k = launches(b, () => { got = layerNormBackwardKernel(b, dx, dg, stats, withGamma ? dgamma : null, rows, cols); });
        const kFrozen = launches(b, () => { frozen = layerNormBackwardKernel(b, dx, dg, stats, withGamma ? dgamma : null, rows, cols, false); });
        const want = layerNormBackwardReference(x, g, host, withGamma ? gamma : null, rows, cols);
        checks.push(
          check(`kernels (γ ${withGamma}; without weight gradients)`, Float32Array.of(k[0], kFrozen[0]), Float32Array.of(3, 2), 0, 'abs'),
          check(`dx (γ ${withGamma})`, await b.read(got.dx), want.dx, 1e-5),
          check(`dx without weight gradients (γ ${withGamma})`, await b.read(frozen.dx), want.dx, 1e-5),
          check(`dγ, dβ (γ ${withGamma})`, await b.read(got.paramGrads!), want.paramGrads!, 1e-5),
        );
        [dx, dg, dgamma, stats.y, stats.mean, stats.rstd, got.dx, got.paramGrads!, frozen.dx].forEach((d) => b.release(d));
      }
      return checks;
    },
  },
];
