import { afterAll, describe, expect, it } from 'vitest';
import { matmulKernel, matmulReference } from '../matmul.js';
import type { MatmulShape } from '../matmul-shape.js';
import { useMatmulThreads } from '../node.js';
import { createHostBackend } from '../select-backend.js';
import { maxAbsDiff, seededFloats } from '../testing.js';
import { KC, defaultGemmVariant, gemm } from './gemm.js';
import { ThreadedTiles } from './threads-node.js';
import { matmulTiles } from './tiles.js';

const SHAPES: MatmulShape[] = [
  { batch: 1, m: 5, k: 7, n: 3 },
  { batch: 2, m: 6, k: 5, n: 40, transA: true, broadcastB: true },
  { batch: 1, m: 13, k: 2 * KC + 37, n: 21, transA: true, transB: true },
  { batch: 1, m: 70, k: KC + 3, n: 97, transB: true },
];

describe('the WebAssembly matmul on worker threads', () => {
  const runner = new ThreadedTiles(defaultGemmVariant(true)!, 3, 0); // every product split, 3 ways
  afterAll(() => {
    runner.destroy();
    useMatmulThreads(1);
  });

  it.each(SHAPES.map((s) => [JSON.stringify(s), s] as const))('splits %s across threads and matches the reference', (_, s) => {
    const a = seededFloats((s.broadcastA ? 1 : s.batch) * s.m * s.k, 1);
    const b = seededFloats((s.broadcastB ? 1 : s.batch) * s.k * s.n, 2);
    const want = matmulReference(a, b, s);
    for (let i = 0; i < 2; i++) {
      expect(maxAbsDiff(gemm(runner, a, b, s), want) / Math.max(1, ...Array.from(want, Math.abs))).toBeLessThan(1e-5);
    }
  });

  it('is what matmulKernel uses on webasm after useMatmulThreads(2), and 1 goes back to this thread', () => {
    expect(useMatmulThreads(2)).toBe(2);
    expect(matmulTiles()).toBeInstanceOf(ThreadedTiles);
    const backend = createHostBackend('webasm');
    const s: MatmulShape = { batch: 1, m: 197, k: 192, n: 576, transB: true }; // above the threshold
    const a = seededFloats(s.m * s.k, 3);
    const b = seededFloats(s.k * s.n, 4);
    const got = backend.readSync(matmulKernel(backend, backend.upload(a), backend.upload(b), s));
    expect(maxAbsDiff(got, matmulReference(a, b, s))).toBeLessThan(1e-4);
    expect(useMatmulThreads(1)).toBe(1);
    expect(matmulTiles()).not.toBeInstanceOf(ThreadedTiles);
  });
});
