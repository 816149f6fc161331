import { describe, expect, it } from 'vitest';
import { matmulReference } from '../matmul.js';
import type { MatmulShape } from '../matmul-shape.js';
import { maxAbsDiff, seededFloats } from '../testing.js';
import { sleb, uleb } from './emit.js';
import { KC, LocalTiles, PACK_CACHE_MAX_ROWS, defaultGemmVariant, gemm } from './gemm.js';
import { gemmVariantValidates, type GemmVariant } from './gemm-module.js';

const SHAPES: MatmulShape[] = [
  { batch: 1, m: 1, k: 1, n: 1 },
  { batch: 1, m: 5, k: 7, n: 3 },
  { batch: 3, m: 4, k: 9, n: 6, transB: true },
  { batch: 2, m: 6, k: 5, n: 4, transA: true, broadcastB: true },
  { batch: 2, m: 1, k: 3, n: 1, transA: true, transB: true, broadcastA: true },
  { batch: 1, m: 13, k: 2 * KC + 37, n: 21, transA: true },
  { batch: 2, m: 9, k: KC, n: 16, transB: true, broadcastB: true },
  { batch: 1, m: 33, k: KC + 1, n: 40, transA: true, transB: true },
];

/** max |got − want| / max(1, max |want|): kernels.test.ts's relative bound. */
function relError(runner: LocalTiles, s: MatmulShape, seed = 1): number {
  const a = seededFloats((s.broadcastA ? 1 : s.batch) * s.m * s.k, seed);
  const b = seededFloats((s.broadcastB ? 1 : s.batch) * s.k * s.n, seed + 1);
  const want = matmulReference(a, b, s);
  return maxAbsDiff(gemm(runner, a, b, s), want) / Math.max(1, ...Array.from(want, Math.abs));
}

describe('the WebAssembly SIMD matmul', () => {
  it('encodes LEB128 as the spec does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });

  it('validates with SIMD on this runtime, FMA only where relaxed SIMD does', () => {
    const v = defaultGemmVariant();
    expect(v).not.toBeNull();
    expect(v!.fma).toBe(gemmVariantValidates({ mr: 4, unroll: 2, fma: true, shared: false }));
    expect(gemmVariantValidates({ mr: 4, unroll: 2, fma: false, shared: true })).toBe(true);
  });

  const variants: GemmVariant[] = [];
  for (const fma of [false, true]) {
    for (const [mr, unroll] of [[4, 1], [4, 2], [6, 1], [6, 4]]) variants.push({ mr, unroll, fma, shared: false });
  }
  it.each(variants.map((v) => [JSON.stringify(v), v] as const))('matches the reference on every shape: %s', (_, v) => {
    if (!gemmVariantValidates(v)) return; // relaxed SIMD is behind a flag in Node 20 (see the README)
    const runner = new LocalTiles(v);
    for (const s of SHAPES) expect(relError(runner, s), JSON.stringify(s)).toBeLessThan(1e-5);
  });

  it('packs a reused operand once, and a cached pack never answers for another layout or array', () => {
    const runner = new LocalTiles(defaultGemmVariant()!);
    const w = seededFloats(40 * 70, 5);
    const x = seededFloats(9 * 70, 6);
    const fwd: MatmulShape = { batch: 1, m: 9, k: 70, n: 40, transB: true };
    const bwd: MatmulShape = { batch: 1, m: 9, k: 40, n: 70 };
    const g = seededFloats(9 * 40, 7);
    for (let i = 0; i < 3; i++) {
      // third use of each layout reads the cached panels
      expect(maxAbsDiff(gemm(runner, x, w, fwd), matmulReference(x, w, fwd))).toBeLessThan(1e-5);
      expect(maxAbsDiff(gemm(runner, g, w, bwd), matmulReference(g, w, bwd))).toBeLessThan(1e-5);
    }
    const w2 = Float32Array.from(w, (v) => -v);
    expect(maxAbsDiff(gemm(runner, x, w2, fwd), matmulReference(x, w2, fwd))).toBeLessThan(1e-5);
  });

  it('packs afresh, correctly, for products of PACK_CACHE_MAX_ROWS rows or more', () => {
    const runner = new LocalTiles(defaultGemmVariant()!);
    const w = seededFloats(40 * 70, 8);
    const m = PACK_CACHE_MAX_ROWS;
    const x = seededFloats(m * 70, 9);
    const fwd: MatmulShape = { batch: 1, m, k: 70, n: 40, transB: true };
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(gemm(runner, x, w, fwd), matmulReference(x, w, fwd))).toBeLessThan(1e-5);
    // a small product after the large ones still packs this w itself, not a stale panel
    const small: MatmulShape = { ...fwd, m: 9 };
    const xs = x.subarray(0, 9 * 70);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(gemm(runner, xs, w, small), matmulReference(xs, w, small))).toBeLessThan(1e-5);
  });

  it('grows its memory for a larger product after a small one', () => {
    const runner = new LocalTiles(defaultGemmVariant()!);
    expect(relError(runner, { batch: 1, m: 2, k: 3, n: 2 })).toBeLessThan(1e-5);
    const before = runner.memory.buffer.byteLength;
    expect(relError(runner, { batch: 1, m: 197, k: 768, n: 96 })).toBeLessThan(1e-5);
    expect(runner.memory.buffer.byteLength).toBeGreaterThan(before);
  });
});
