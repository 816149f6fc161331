import { GPU } from 'gpu.js';
import { describe, expect, it } from 'vitest';
import { HostBackend } from './host-backend.js';

const double = { name: 'double', source: 'function (a) { return a[this.thread.x] * 2; }', args: { a: 'Array' as const } };

describe('HostBackend kernel cache', () => {
  it('keeps at most `limit` compiled kernels, destroying the least recently used', () => {
    const b = new HostBackend('webasm', new GPU({ mode: 'webasm' }), 2);
    const run = (n: number) => b.readSync(b.run({ ...double, output: n }, [b.upload(Float32Array.from({ length: n }, (_, i) => i))]));
    expect(Array.from(run(3))).toEqual([0, 2, 4]);
    run(4);
    run(3); // 3 is now the most recently used
    expect(Array.from(run(5))).toEqual([0, 2, 4, 6, 8]); // evicts 4
    expect(b.stats).toMatchObject({ compiles: 3, cachedKernels: 2 });
    run(3);
    expect(b.stats.compiles).toBe(3); // still cached
    expect(Array.from(run(4))).toEqual([0, 2, 4, 6]); // compiled again
    expect(b.stats).toMatchObject({ compiles: 4, cachedKernels: 2 });
    b.destroy();
  });

  it('has no limit by default', () => {
    expect(new HostBackend('webasm', new GPU({ mode: 'webasm' })).limit).toBe(Infinity);
  });
});
