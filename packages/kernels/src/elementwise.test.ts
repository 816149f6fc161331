import { describe, expect, it } from 'vitest';
import { BINARY, WHERE } from './binary.js';
import { mapKernel, mapReference } from './elementwise.js';
import { contiguousView, type View } from './shape.js';
import { maxAbsDiff, seededFloats, testBackends } from './test-backends.js';
import { UNARY, clampOp, powScalarOp } from './unary.js';

const permuted = (data: Float32Array, shape: number[], perm: number[]): View => {
  const base = contiguousView(data, shape);
  return { data, shape: perm.map((p) => shape[p]), strides: perm.map((p) => base.strides[p]), offset: 0 };
};

describe.each(testBackends().map((b) => [b.name, b] as const))('elementwise on %s', (_, backend) => {
  it.each(Object.keys(UNARY))('unary %s matches its reference', (name) => {
    const op = UNARY[name as keyof typeof UNARY];
    const lo = name === 'log' || name === 'sqrt' || name === 'rsqrt' ? 0.01 : -3;
    const x = contiguousView(seededFloats(3 * 5 * 7, 11, lo, 3), [3, 5, 7]);
    const got = mapKernel(backend, op, [x]);
    const want = mapReference(op, [x]);
    expect(got.shape).toEqual([3, 5, 7]);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5 * Math.max(1, ...Array.from(want.data, Math.abs)));
  });

  it.each(Object.keys(BINARY))('binary %s with broadcasting and a permuted input', (name) => {
    const op = BINARY[name as keyof typeof BINARY];
    const a = permuted(seededFloats(4 * 3 * 5, 1, 0.5, 2), [4, 3, 5], [1, 0, 2]); // [3,4,5], non-contiguous
    const b = contiguousView(seededFloats(4 * 1, 2, 0.5, 2), [4, 1]); // broadcast over axes 0 and 2
    const got = mapKernel(backend, op, [a, b]);
    const want = mapReference(op, [a, b]);
    expect(got.shape).toEqual([3, 4, 5]);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
  });

  it('where, clamp, pow by scalar, size-1 axes and offsets', () => {
    const c = contiguousView(seededFloats(6, 3), [2, 3, 1]);
    const a = contiguousView(seededFloats(6, 4), [1, 3, 2]);
    const b: View = { data: seededFloats(20, 5), shape: [2, 1, 2], strides: [7, 0, 1], offset: 3 };
    const got = mapKernel(backend, WHERE, [c, a, b]);
    expect(got.shape).toEqual([2, 3, 2]);
    expect(maxAbsDiff(got.data, mapReference(WHERE, [c, a, b]).data)).toBe(0);
    const x = contiguousView(seededFloats(50, 6, -2, 2), [50]);
    for (const op of [clampOp(-0.5, 0.75), powScalarOp(3), powScalarOp(2)]) {
      expect(maxAbsDiff(mapKernel(backend, op, [x]).data, mapReference(op, [x]).data)).toBeLessThan(1e-5);
    }
  });
});

