// The shapes generator: deterministic per seed, balanced classes, masks and boxes that agree, objects
// that stand out from their backgrounds, and images that really differ from one another.
import { describe, expect, it } from 'vitest';
import { mixSeed, mulberry32, normals, shuffle } from './prng.js';
import { DEFAULT_DIFFICULTY, makeShape, makeShapesDataset, SHAPE_CLASSES, type ShapeSample, type ShapeVariant } from './shapes.js';

const N = 60;
const data = makeShapesDataset(N, 7);

/** Byte-for-byte equality (expect().toEqual on 12k-element arrays is slow). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function meanColour(s: ShapeSample, where: (p: number) => boolean): number[] {
  const sum = [0, 0, 0];
  let count = 0;
  for (let p = 0; p < s.mask.length; p++) {
    if (!where(p)) continue;
    for (let c = 0; c < 3; c++) sum[c]! += s.image.data[p * 3 + c]!;
    count++;
  }
  return sum.map((v) => v / count);
}

describe('mulberry32', () => {
  it('is deterministic, in [0, 1), and seeds give different streams', () => {
    const a = Array.from({ length: 1000 }, mulberry32(42));
    expect(Array.from({ length: 1000 }, mulberry32(42))).toEqual(a);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
    expect(Array.from({ length: 5 }, mulberry32(43))).not.toEqual(a.slice(0, 5));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(shuffle([1, 2, 3, 4, 5, 6], mulberry32(1)).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('normals: mean 0 and the requested standard deviation', () => {
    const z = normals(mulberry32(3), 20001, 2);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const std = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 2)).toBeLessThan(0.05);
    expect(z[20000]).not.toBe(0); // odd lengths are filled to the end
  });
});

describe('makeShapesDataset', () => {
  it('is deterministic: the same (n, seed) gives the same bytes, and sample i does not depend on n', () => {
    const again = makeShapesDataset(N, 7);
    for (let i = 0; i < N; i++) {
      expect(same(again[i]!.image.data, data[i]!.image.data)).toBe(true);
      expect(same(again[i]!.mask, data[i]!.mask)).toBe(true);
      expect(again[i]!.box).toEqual(data[i]!.box);
    }
    expect(same(makeShapesDataset(3, 7)[2]!.image.data, data[2]!.image.data)).toBe(true);
    expect(same(makeShapesDataset(3, 8)[2]!.image.data, data[2]!.image.data)).toBe(false);
  });

  it('balances the classes: image i has label i mod 5, so every class appears', () => {
    expect(SHAPE_CLASSES).toEqual(['disc', 'square', 'triangle', 'cross', 'ring']);
    expect(data.map((s) => s.label)).toEqual(Array.from({ length: N }, (_, i) => i % SHAPE_CLASSES.length));
  });

  it('gives 64×64 RGB images with a non-trivial object mask', () => {
    for (const s of data) {
      expect(s.image.width).toBe(64);
      expect(s.image.height).toBe(64);
      expect(s.image.data.length).toBe(64 * 64 * 3);
      expect(s.mask.length).toBe(64 * 64);
      const area = s.mask.reduce((a, b) => a + b, 0);
      expect(area).toBeGreaterThan(40); // the smallest object (a ring of radius 10 px) covers ~200 px
      expect(area).toBeLessThan(64 * 64 * 0.5);
    }
  });

  it('the box is the tight, inclusive bounding box of the mask', () => {
    for (const s of data) {
      const [x0, y0, x1, y1] = s.box;
      expect(0 <= x0 && x0 <= x1 && x1 < 64 && 0 <= y0 && y0 <= y1 && y1 < 64).toBe(true);
      const hits = { x0: false, x1: false, y0: false, y1: false };
      for (let p = 0; p < s.mask.length; p++) {
        if (!s.mask[p]) continue;
        const [x, y] = [p % 64, Math.floor(p / 64)];
        expect(x >= x0 && x <= x1 && y >= y0 && y <= y1).toBe(true);
        if (x === x0) hits.x0 = true;
        if (x === x1) hits.x1 = true;
        if (y === y0) hits.y0 = true;
        if (y === y1) hits.y1 = true;
      }
      expect(hits).toEqual({ x0: true, x1: true, y0: true, y1: true });
    }
  });

  it('objects contrast with their surroundings in the default task: clearly lighter, and far in RGB', () => {
    const luma = ([r, g, b]: number[]) => 0.299 * r! + 0.587 * g! + 0.114 * b!;
    for (const s of makeShapesDataset(200, 9)) {
      const inside = meanColour(s, (p) => s.mask[p] === 1);
      const outside = meanColour(s, (p) => s.mask[p] === 0);
      expect(Math.hypot(...inside.map((v, c) => v - outside[c]!))).toBeGreaterThan(60);
      expect(luma(inside) - luma(outside)).toBeGreaterThan(30);
    }
  });

  it('images differ: distinct seeds give distinct images, and no two images of the set are equal', () => {
    const key = (s: ShapeSample) => Buffer.from(s.image.data).toString('base64');
    expect(new Set(data.map(key)).size).toBe(N);
    const other = makeShapesDataset(N, 8);
    let meanAbs = 0;
    for (let i = 0; i < 64 * 64 * 3; i++) meanAbs += Math.abs(other[0]!.image.data[i]! - data[0]!.image.data[i]!);
    expect(meanAbs / (64 * 64 * 3)).toBeGreaterThan(10);
  });

  it('difficulty 0 draws a white object on plain dark grey; a range mixes difficulties', () => {
    const easy = makeShape(77, { label: 2, difficulty: 0 });
    const inside = meanColour(easy, (p) => easy.mask[p] === 1);
    const outside = meanColour(easy, (p) => easy.mask[p] === 0);
    for (const c of inside) expect(Math.abs(c - 225)).toBeLessThan(12); // shading ±15, noise
    for (const c of outside) expect(Math.abs(c - 40)).toBeLessThan(5);
    // the default is the built-in model's task, difficulty drawn from [0, 0.5]
    expect(DEFAULT_DIFFICULTY).toEqual([0, 0.5]);
    expect(same(makeShape(77, { label: 2 }).image.data, makeShape(77, { label: 2, difficulty: [0, 0.5] }).image.data)).toBe(true);
    expect(same(makeShape(77, { label: 2 }).image.data, makeShape(77, { label: 2, difficulty: [0, 1] }).image.data)).toBe(false);
    const mixed = makeShapesDataset(40, 3, { difficulty: [0, 1] });
    const spread = mixed.map((s) => Math.max(...meanColour(s, (p) => s.mask[p] === 0)) - Math.min(...meanColour(s, (p) => s.mask[p] === 0)));
    expect(spread.some((v) => v < 10)).toBe(true); // some nearly grey backgrounds
    expect(spread.some((v) => v > 40)).toBe(true); // and some colourful ones
  });

  it('makeShape draws the class it is asked for; a bad label is an error', () => {
    const ring = makeShape(123, { label: 4 });
    expect(ring.label).toBe(4);
    // a ring has a hole: the centre of its box is background
    const [x0, y0, x1, y1] = ring.box;
    expect(ring.mask[Math.round((y0 + y1) / 2) * 64 + Math.round((x0 + x1) / 2)]).toBe(0);
    const disc = makeShape(123, { label: 0 });
    expect(disc.mask[Math.round((disc.box[1] + disc.box[3]) / 2) * 64 + Math.round((disc.box[0] + disc.box[2]) / 2)]).toBe(1);
    expect(makeShape(5, { size: 32 }).image.data.length).toBe(32 * 32 * 3);
    expect(() => makeShape(1, { label: 5 })).toThrow(/label 5/);
  });

  it("the held-out variant: another draw of the same classes, smaller objects, the standard stream untouched", () => {
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
    expect(same(makeShape(31, { variant: 'standard' }).image.data, makeShape(31).image.data)).toBe(true);
    const held = makeShapesDataset(200, 9, { variant: 'heldout' });
    const standard = makeShapesDataset(200, 9);
    // the object's mask spans its box; the box is inside the image
    for (const s of held) {
      const [x0, , x1] = s.box;
      expect(x0).toBeGreaterThanOrEqual(0);
      expect(x1).toBeLessThan(64);
      expect(s.mask.reduce((a, m) => a + m, 0)).toBeGreaterThan(0);
      expect(same(s.image.data, standard[held.indexOf(s)]!.image.data)).toBe(false);
    }
    // radius 12–30% of the side against 16–34%: smaller objects on average, and some smaller than any standard one
    const area = (set: ShapeSample[]) => set.map((s) => s.mask.reduce((a, m) => a + m, 0));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(area(held))).toBeLessThan(0.8 * mean(area(standard)));
    expect(Math.min(...area(held))).toBeLessThan(Math.min(...area(standard)));
    expect(() => makeShape(1, { variant: 'other' as ShapeVariant })).toThrow(/variant 'other'/);
  });
});
