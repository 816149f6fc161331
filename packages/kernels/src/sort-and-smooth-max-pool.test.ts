/** The smooth max-pool's reference against values computed by hand (the kernels are checked against it in kernel-cases.ts). */
import { describe, expect, it } from 'vitest';
import { smoothMaxPoolReference, type SmoothMaxPoolShape } from './smooth-max-pool.js';
import { argsortReference, sortLength, sortRanksReference } from './sort.js';

describe('smoothMaxPoolReference by hand', () => {
  it('one cell, a window of one: y = w·x', () => {
    const one: SmoothMaxPoolShape = { planes: 1, h: 1, w: 1, oh: 2, ow: 2, step: 2, radius: 0, coldness: 20, pad: 0 };
    expect(Array.from(smoothMaxPoolReference(new Float32Array([0.5]), new Float32Array([1, 0.5, 0.25, 0]), one).y)).toEqual([0.5, 0.25, 0.125, 0]);
  });

  it('a large β gives the max of the window, β = 0 its mean, and pad shifts the output over the grid', () => {
    // 1×2 grid, radius 1: pixel 0 (cell 0) sees [0, 0, 0 | 0, x0, x1 | 0, 0, 0]
    const s: SmoothMaxPoolShape = { planes: 1, h: 1, w: 2, oh: 1, ow: 1, step: 1, radius: 1, coldness: 1000, pad: 0 };
    expect(smoothMaxPoolReference(new Float32Array([0.3, 0.8]), new Float32Array(9).fill(1), s).y[0]).toBeCloseTo(0.8, 6);
    expect(smoothMaxPoolReference(new Float32Array([0.3, 0.8]), new Float32Array(9).fill(1), { ...s, coldness: 0 }).y[0]).toBeCloseTo(1.1 / 9, 6);
    // pad 1: the output starts one cell before the grid, so pixel 1 sits on cell 0 and sees x1 too
    const padded = smoothMaxPoolReference(new Float32Array([0.3, 0.8]), new Float32Array(9 * 4).fill(1), { ...s, ow: 4, pad: 1, coldness: 0 }).y;
    expect(Array.from(padded).map((v) => +v.toFixed(6))).toEqual([0.3 / 9, 1.1 / 9, 1.1 / 9, 0.8 / 9].map((v) => +v.toFixed(6)));
  });
});

describe('sort references by hand', () => {
  it('sortLength is the next power of two', () => {
    expect([1, 2, 3, 4, 5, 4096, 4097].map(sortLength)).toEqual([1, 2, 4, 4, 8, 4096, 8192]);
  });

  it('[3, 1, 2, 1] sorts to indices [1, 3, 2, 0] (ties by index), ranks [3, 0, 2, 1]', () => {
    const perm = argsortReference(new Float32Array([3, 1, 2, 1]), 1, 4);
    expect(Array.from(perm)).toEqual([1, 3, 2, 0]);
    expect(Array.from(sortRanksReference(perm, 1, 4))).toEqual([3, 0, 2, 1]);
  });
});
