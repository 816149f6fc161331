import { describe, expect, it } from 'vitest';
import { collage, stackRows, type Rgb8 } from './render.js';

const solid = (width: number, height: number, v: number): Rgb8 => ({ width, height, data: new Uint8Array(width * height * 3).fill(v) });

describe('stackRows', () => {
  it('puts images one below the other, left-aligned, white gaps and padding', () => {
    const page = stackRows([solid(2, 1, 10), solid(1, 2, 20)], 1);
    expect([page.width, page.height]).toEqual([2, 4]);
    const px = (x: number, y: number) => page.data[(y * 2 + x) * 3];
    expect([px(0, 0), px(1, 0)]).toEqual([10, 10]); // row 0: the first image
    expect([px(0, 1), px(1, 1)]).toEqual([255, 255]); // the gap
    expect([px(0, 2), px(1, 2), px(0, 3), px(1, 3)]).toEqual([20, 255, 20, 255]); // the narrow one, padded white
  });

  it('without a gap, rows of equal width are their bytes concatenated', () => {
    const [a, b] = [collage([solid(2, 2, 1)], 1), collage([solid(2, 2, 2)], 1)];
    expect(Array.from(stackRows([a, b]).data)).toEqual([...a.data, ...b.data]);
  });
});
