import { describe, expect, it } from 'vitest';
import { KERNEL_CASES, checkError } from './kernel-cases.js';
import { matmulKernel, matmulReference, type MatmulTuning } from './matmul.js';
import type { MatmulShape } from './matmul-shape.js';
import { maxAbsDiff, seededFloats, testBackends } from './testing.js';
import { ThreadsBackend } from './threads-backend.js';

describe.each(testBackends().map((b) => [b.name, b] as const))('kernels on %s', (_, backend) => {
  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', async (_, kase) => {
    for (const c of await kase.run(backend)) {
      const { error, bound } = checkError(c);
      expect(error, `${c.what}: max |got − want| ${error} > ${bound}`).toBeLessThanOrEqual(bound);
    }
  });

  it.each([
    { bRead: 'lanemask', unroll: 4 },
    { bRead: 'gather', unroll: 8 },
  ] as MatmulTuning[])('matmul with the lever benchmark\'s tuning %o', (t) => {
    for (const s of [{ batch: 2, m: 6, k: 11, n: 5, transB: true }, { batch: 1, m: 3, k: 9, n: 2, transA: true }] as MatmulShape[]) {
      const a = seededFloats(s.batch * s.m * s.k, 3);
      const b = seededFloats(s.batch * s.k * s.n, 4);
      const want = matmulReference(a, b, s);
      expect(maxAbsDiff(backend.readSync(matmulKernel(backend, backend.upload(a), backend.upload(b), s, t)), want) / Math.max(1, ...Array.from(want, Math.abs))).toBeLessThan(1e-5);
    }
  });

  it('ran every kernel above on the backend it asked for (no silent gpu.js fallback)', () => {
    expect(backend.stats.compiles).toBeGreaterThan(20);
    expect(backend.fallbacks()).toEqual([]);
  });
});

describe('kernels on webasm-threads (gpu.js worker pool, the asynchronous queue)', () => {
  const backend = new ThreadsBackend();
  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', async (_, kase) => {
    for (const c of await kase.run(backend)) {
      const { error, bound } = checkError(c);
      expect(error, `${c.what}: max |got − want| ${error} > ${bound}`).toBeLessThanOrEqual(bound);
    }
  });

  it('ran on WebAssembly (no fallback), and its results arrive asynchronously', async () => {
    expect(backend.fallbacks()).toEqual([]);
    const d = backend.upload(Float32Array.of(1, 2));
    expect(() => backend.readSync(d)).toThrow(/await tensor\.data\(\)/);
    expect(Array.from(await backend.read(d))).toEqual([1, 2]);
  });

  it('counts live bytes and their peak until resetPeak()', async () => {
    const base = backend.memory().bytes;
    backend.resetPeak();
    const a = backend.upload(new Float32Array(1000));
    const b = backend.upload(new Float32Array(500));
    expect(backend.memory()).toMatchObject({ bytes: base + 6000, peakBytes: base + 6000 });
    backend.release(a);
    backend.release(b);
    await backend.flush();
    expect(backend.memory()).toMatchObject({ bytes: base, peakBytes: base + 6000 });
    backend.resetPeak();
    expect(backend.memory().peakBytes).toBe(base);
  });
});
