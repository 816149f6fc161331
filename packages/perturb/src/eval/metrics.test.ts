import { describe, expect, it } from 'vitest';
import {
  areaAboveHalf, borderShare, centerOfMass, centroidHit, curve, curveImage, meanValue, peakPoint, pointingHit, salienceOrder, stepCounts, trapezoidAuc,
  type Box, type Scorer,
} from './metrics.js';

const W = 8;
const H = 8;
/** A W×H map from a function of (x, y). */
const map = (f: (x: number, y: number) => number) => Float32Array.from({ length: W * H }, (_, i) => f(i % W, Math.floor(i / W)));
const box: Box = { x0: 2, y0: 2, x1: 5, y1: 5 }; // 4×4 = 16 of 64 pixels
const inBox = (x: number, y: number) => x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1;

describe('pointing game', () => {
  it('a map peaked inside the box scores 1, peaked outside 0', () => {
    const peakedAt = (px: number, py: number) => map((x, y) => Math.exp(-((x - px) ** 2 + (y - py) ** 2)));
    expect(pointingHit(peakedAt(3, 4), W, H, box)).toBe(1);
    expect(pointingHit(peakedAt(7, 0), W, H, box)).toBe(0);
    expect(peakPoint(peakedAt(7, 0), W, H)).toEqual({ x: 7, y: 0 });
  });

  it('box corners are inclusive', () => {
    expect(pointingHit(map((x, y) => (x === 5 && y === 5 ? 1 : 0)), W, H, box)).toBe(1);
    expect(pointingHit(map((x, y) => (x === 6 && y === 5 ? 1 : 0)), W, H, box)).toBe(0);
  });

  it('ties (a clamped mask): the centroid of all maximal pixels, not the first one in raster order', () => {
    // plateau at 1 over columns 1..5 of rows 2..4: first maximal pixel (1, 2) is outside, the centroid (3, 3) inside
    const plateau = map((x, y) => (x >= 1 && x <= 5 && y >= 2 && y <= 4 ? 1 : 0.2));
    expect(peakPoint(plateau, W, H)).toEqual({ x: 3, y: 3 });
    expect(pointingHit(plateau, W, H, box)).toBe(1);
    // two separate plateaus in opposite corners: the centroid lies between them, a miss for a box elsewhere
    const twoCorners = map((x, y) => ((x <= 1 && y <= 1) || (x >= 6 && y >= 6) ? 1 : 0));
    expect(peakPoint(twoCorners, W, H)).toEqual({ x: 4, y: 4 }); // (3.5, 3.5) rounds to (4, 4)
    expect(pointingHit(twoCorners, W, H, { x0: 0, y0: 6, x1: 1, y1: 7 })).toBe(0);
  });

  it('values one float32 ulp below the maximum tie with it (bilinear upsampling of a plateau)', () => {
    const justBelow = Math.fround(1 - 2 ** -24);
    const m = map((x, y) => (y === 3 && x === 0 ? 1 : y === 3 && x === 6 ? justBelow : 0));
    expect(peakPoint(m, W, H)).toEqual({ x: 3, y: 3 });
  });

  it('a constant map points at the image centre', () => {
    expect(peakPoint(new Float32Array(W * H).fill(0.7), W, H)).toEqual({ x: 4, y: 4 });
  });
});

describe('centroid pointing', () => {
  it('the centre of mass of s − min(s)', () => {
    const m = map((x, y) => (inBox(x, y) ? 3 : 1)); // weights 2 inside, 0 outside
    expect(centerOfMass(m, W, H)).toEqual({ x: 4, y: 4 }); // (3.5, 3.5) rounded
    expect(centroidHit(m, W, H, box)).toBe(1);
    const corner = map((x, y) => (x === 7 && y === 7 ? 10 : x === 0 && y === 0 ? 9 : 0));
    expect(centerOfMass(corner, W, H)).toEqual({ x: 4, y: 4 }); // 70/19 = 3.68
    expect(centroidHit(map((x, y) => (x >= 6 ? 1 : 0)), W, H, box)).toBe(0);
  });

  it('a constant map points at the centre', () => {
    expect(centerOfMass(new Float32Array(W * H), W, H)).toEqual({ x: 4, y: 4 });
  });
});

describe('area', () => {
  it('share of pixels above the mid-range (half the maximum when the minimum is 0)', () => {
    expect(areaAboveHalf(map((x, y) => (inBox(x, y) ? 1 : 0)))).toBe(16 / 64);
  });

  it('is invariant to an offset, and a constant map has area 1', () => {
    const ramp = map((x) => x); // mid-range 3.5: columns 4..7
    expect(areaAboveHalf(ramp)).toBe(0.5);
    expect(areaAboveHalf(ramp.map((v) => v + 100))).toBe(0.5);
    expect(areaAboveHalf(new Float32Array(10).fill(3))).toBe(1);
  });

  it('meanValue of the deletion saliency 1 − M is the deleted share', () => {
    const mask = map((x, y) => (inBox(x, y) ? 0 : 1));
    expect(meanValue(mask.map((v) => 1 - v))).toBe(0.25);
  });
});

describe('deletion and insertion AUC', () => {
  it('trapezoid rule on a hand-made step curve', () => {
    expect(trapezoidAuc([0, 0.25, 0.5, 0.75, 1], [1, 1, 0, 0, 0])).toBeCloseTo(0.375, 12);
    expect(trapezoidAuc([0, 1], [1, 1])).toBe(1);
    expect(trapezoidAuc([0, 0.5, 1], [0, 1, 0])).toBeCloseTo(0.5, 12);
    expect(() => trapezoidAuc([0], [1])).toThrow(/two equal-length/);
  });

  it('step counts round k·P/K and end at every pixel', () => {
    expect(stepCounts(10, 4)).toEqual([0, 3, 5, 8, 10]);
    expect(stepCounts(64, 16)).toEqual(Array.from({ length: 17 }, (_, k) => 4 * k));
    expect(() => stepCounts(10, 0)).toThrow(/steps/);
  });

  it('orders pixels most salient first, ties in raster order', () => {
    expect(Array.from(salienceOrder([0.1, 0.5, 0.5, 0.9, 0.1]))).toEqual([3, 1, 2, 0, 4]);
  });

  it('curveImage moves every channel of the chosen pixels', () => {
    const image = Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]); // 2 channels × 4 pixels
    const base = new Float32Array(8);
    const order = Uint32Array.from([2, 0, 1, 3]);
    expect(Array.from(curveImage(new Float32Array(8), image, base, order, 2, 'deletion'))).toEqual([0, 2, 0, 4, 0, 20, 0, 40]);
    expect(Array.from(curveImage(new Float32Array(8), image, base, order, 2, 'insertion'))).toEqual([1, 0, 3, 0, 10, 0, 30, 0]);
  });

  // A fake model: the "probability" is the share of the object (the box) still intact.
  const image = Float32Array.from({ length: 3 * W * H }, (_, i) => (inBox(i % W, Math.floor((i % (W * H)) / W)) ? 1 : 0.3));
  const blurred = new Float32Array(3 * W * H);
  const objectShare: Scorer = (images) => images.map((im) => {
    let s = 0;
    for (let i = 0; i < W * H; i++) if (inBox(i % W, Math.floor(i / W))) s += im[i];
    return s / 16;
  });
  const perfect = map((x, y) => (inBox(x, y) ? 1 : 0));
  const reversed = perfect.map((v) => 1 - v);

  it('a perfect map deletes the object first: deletion AUC below the reversed map, insertion AUC above (hand values, K = 4)', async () => {
    // counts 0, 16, 32, 48, 64: the perfect map removes all 16 object pixels in step 1
    const delPerfect = await curve('deletion', image, blurred, perfect, objectShare, 4);
    const delReversed = await curve('deletion', image, blurred, reversed, objectShare, 4);
    expect(delPerfect.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(delPerfect.probabilities).toEqual([1, 0, 0, 0, 0]);
    expect(delPerfect.auc).toBeCloseTo(0.125, 12);
    expect(delReversed.probabilities).toEqual([1, 1, 1, 1, 0]); // 48 background pixels go first
    expect(delReversed.auc).toBeCloseTo(0.875, 12);
    const insPerfect = await curve('insertion', image, blurred, perfect, objectShare, 4);
    const insReversed = await curve('insertion', image, blurred, reversed, objectShare, 4);
    expect(insPerfect.auc).toBeCloseTo(0.875, 12);
    expect(insReversed.probabilities).toEqual([0, 0, 0, 0, 1]);
    expect(insReversed.auc).toBeCloseTo(0.125, 12);
  });

  it('with K = 16 the ordering still holds', async () => {
    const del = await Promise.all([perfect, reversed].map((s) => curve('deletion', image, blurred, s, objectShare, 16)));
    const ins = await Promise.all([perfect, reversed].map((s) => curve('insertion', image, blurred, s, objectShare, 16)));
    expect(del[0].auc).toBeLessThan(del[1].auc);
    expect(ins[0].auc).toBeGreaterThan(ins[1].auc);
    expect(del[0].fractions.length).toBe(17);
  });
});

describe('borderShare', () => {
  it('the share of the mass within the margin of the border; a constant map gives the strip\'s area', () => {
    const s = new Float32Array(64); // 8×8
    s[0] = 1; // a corner pixel: in the strip
    s[3 * 8 + 3] = 3; // a central pixel: not within 2 px of any edge
    expect(borderShare(s, 8, 8, 2)).toBeCloseTo(0.25, 6);
    expect(borderShare(s, 8, 8, 4)).toBeCloseTo(1, 6);
    expect(borderShare(new Float32Array(64).fill(0.5), 8, 8, 2)).toBeCloseTo(48 / 64, 6);
  });
});
