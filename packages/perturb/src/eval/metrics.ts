/**
 * "Does the saliency point at the object?" as numbers. Pure functions on
 * saliency maps: row-major Float32Array [H·W], higher = more important.
 *
 *   pointing game (Zhang et al. 2016)   the map's maximum inside the object box
 *   centroid pointing                    the map's centre of mass inside the box
 *   deletion / insertion AUC             Petsiuk, Das & Saenko, "RISE", BMVC 2018
 *   mean area                            share of pixels above the map's mid-range
 *   energy pointing                      the share of the map's mass inside the box (Wang et al., Score-CAM, 2020)
 *   reader region                        the pixels a reader sees as marked (≥ 0.5): how much of the
 *                                        box they cover, and how much of them lies inside it
 *   border share                         the share of the map's mass near the image border
 */

/** An object box in pixels, corners inclusive: x0 ≤ x ≤ x1, y0 ≤ y ≤ y1. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Point {
  x: number;
  y: number;
}

/**
 * Values within this (relative) distance of the maximum count as maximal:
 * bilinear upsampling of a plateau of exact 1s can give 1 − 1 ulp in fp32.
 */
export const TIE_TOLERANCE = 1e-6;

function checkSize(saliency: ArrayLike<number>, width: number, height: number): void {
  if (saliency.length !== width * height) {
    throw new Error(`saliency map has ${saliency.length} values, expected ${width}×${height} = ${width * height}`);
  }
}

export function insideBox(p: Point, box: Box): boolean {
  return p.x >= box.x0 && p.x <= box.x1 && p.y >= box.y0 && p.y <= box.y1;
}

/**
 * Where the map peaks. All pixels with s ≥ max − TIE_TOLERANCE·max(1, |max|)
 * are maximal; the point is the centroid of the maximal pixels, rounded to
 * the nearest pixel (ties: a clamped mask has whole plateaus at its maximum;
 * a constant map points at the image centre).
 */
export function peakPoint(saliency: ArrayLike<number>, width: number, height: number): Point {
  checkSize(saliency, width, height);
  let max = -Infinity;
  for (let i = 0; i < saliency.length; i++) if (saliency[i] > max) max = saliency[i];
  const floor = max - TIE_TOLERANCE * Math.max(1, Math.abs(max));
  let sx = 0, sy = 0, count = 0;
  for (let i = 0; i < saliency.length; i++) {
    if (saliency[i] >= floor) {
      sx += i % width;
      sy += Math.floor(i / width);
      count++;
    }
  }
  return { x: Math.round(sx / count), y: Math.round(sy / count) };
}

/**
 * Centre of mass with weights w = s − min(s) (the least salient pixel weighs
 * nothing), rounded to the nearest pixel; a constant map gives the centre.
 */
export function centerOfMass(saliency: ArrayLike<number>, width: number, height: number): Point {
  checkSize(saliency, width, height);
  let min = Infinity;
  for (let i = 0; i < saliency.length; i++) if (saliency[i] < min) min = saliency[i];
  let sx = 0, sy = 0, total = 0;
  for (let i = 0; i < saliency.length; i++) {
    const w = saliency[i] - min;
    sx += w * (i % width);
    sy += w * Math.floor(i / width);
    total += w;
  }
  if (!(total > 0)) return { x: Math.round((width - 1) / 2), y: Math.round((height - 1) / 2) };
  return { x: Math.round(sx / total), y: Math.round(sy / total) };
}

/** Pointing game: 1 if the peak (peakPoint's tie rule) lies in the box, else 0. */
export function pointingHit(saliency: ArrayLike<number>, width: number, height: number, box: Box): 0 | 1 {
  return insideBox(peakPoint(saliency, width, height), box) ? 1 : 0;
}

/** Centroid pointing: 1 if the centre of mass lies in the box, else 0. */
export function centroidHit(saliency: ArrayLike<number>, width: number, height: number, box: Box): 0 | 1 {
  return insideBox(centerOfMass(saliency, width, height), box) ? 1 : 0;
}

/** The smallest and largest value of a map. */
function extent(saliency: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < saliency.length; i++) {
    min = Math.min(min, saliency[i]);
    max = Math.max(max, saliency[i]);
  }
  return { min, max };
}

/**
 * Mean area: the share of pixels with (s − min)/(max − min) > 0.5, i.e.
 * above half the maximum for maps whose minimum is 0. A constant map
 * singles nothing out: area 1.
 */
export function areaAboveHalf(saliency: ArrayLike<number>): number {
  const { min, max } = extent(saliency);
  if (!(max > min)) return 1;
  const mid = (min + max) / 2;
  let n = 0;
  for (let i = 0; i < saliency.length; i++) if (saliency[i] > mid) n++;
  return n / saliency.length;
}

/**
 * Energy-based pointing: Σ_box w / Σ w with w = s − min(s), the share of
 * the map's mass inside the box. A constant map gives the box's share of
 * the image.
 */
export function energyInBox(saliency: ArrayLike<number>, width: number, height: number, box: Box): number {
  checkSize(saliency, width, height);
  const { min } = extent(saliency);
  let inside = 0, total = 0;
  for (let i = 0; i < saliency.length; i++) {
    const w = saliency[i] - min;
    total += w;
    if (insideBox({ x: i % width, y: Math.floor(i / width) }, box)) inside += w;
  }
  return total > 0 ? inside / total : boxArea(box) / saliency.length;
}

/**
 * The share of the map's mass (w = s − min s) on pixels within `margin` px of the image border
 * (min(x, y, W−1−x, H−1−y) < margin). A map that marks only a central object puts none there; a
 * constant map gives the strip's share of the image. The extremal masks' smoothing σ is the
 * margin the evaluation uses: the border discs were that wide.
 */
export function borderShare(saliency: ArrayLike<number>, width: number, height: number, margin: number): number {
  checkSize(saliency, width, height);
  const { min } = extent(saliency);
  let strip = 0, total = 0, pixels = 0;
  for (let i = 0; i < saliency.length; i++) {
    const x = i % width, y = Math.floor(i / width);
    const near = Math.min(x, y, width - 1 - x, height - 1 - y) < margin;
    const w = saliency[i] - min;
    total += w;
    if (near) { strip += w; pixels++; }
  }
  return total > 0 ? strip / total : pixels / saliency.length;
}

function boxArea(box: Box): number {
  return (box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1);
}

/** What a reader sees as marked: the pixels at ≥ 0.5, against the box. */
export interface ReaderRegion {
  /** |R ∩ box| / |box|: how much of the object's box the region covers. */
  coverage: number;
  /** |R ∩ box| / |R|: how much of the region lies in the box (0 for an empty region). */
  precision: number;
  /** Share of the image in R. */
  area: number;
}

/** The thresholds of a readable region: it covers ≥ 20% of the box with ≥ 60% of itself inside. */
export const READER_COVERAGE = 0.2;
export const READER_PRECISION = 0.6;

/**
 * The region a reader sees in a map: R = {pixels with v ≥ 0.5}, where v is
 * the map itself when it is a mask (values in [0, 1]: `isMask`), else the map
 * scaled to [0, 1] by its min and max (a constant map marks nothing).
 */
export function readerRegion(saliency: ArrayLike<number>, width: number, height: number, box: Box, isMask: boolean): ReaderRegion {
  checkSize(saliency, width, height);
  let min = 0, span = 1;
  if (!isMask) {
    const e = extent(saliency);
    min = e.min;
    span = e.max - e.min;
    if (!(span > 0)) return { coverage: 0, precision: 0, area: 0 };
  }
  let marked = 0, hit = 0;
  for (let i = 0; i < saliency.length; i++) {
    if ((saliency[i] - min) / span >= 0.5) {
      marked++;
      if (insideBox({ x: i % width, y: Math.floor(i / width) }, box)) hit++;
    }
  }
  return { coverage: hit / boxArea(box), precision: marked > 0 ? hit / marked : 0, area: marked / saliency.length };
}

/** Does the region meet both thresholds? */
export function readable(r: ReaderRegion): boolean {
  return r.coverage >= READER_COVERAGE && r.precision >= READER_PRECISION;
}

/** Mean of a map: for the deletion game's saliency 1 − M this is mean(1 − M), the deleted area. */
export function meanValue(saliency: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < saliency.length; i++) s += saliency[i];
  return s / saliency.length;
}

/** Trapezoid rule: ∫ y dx ≈ Σ_k (x_k − x_{k−1})·(y_{k−1} + y_k)/2. */
export function trapezoidAuc(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  if (xs.length !== ys.length || xs.length < 2) throw new Error(`trapezoidAuc: need two equal-length arrays of ≥ 2 points, got ${xs.length} and ${ys.length}`);
  let a = 0;
  for (let k = 1; k < xs.length; k++) a += (xs[k] - xs[k - 1]) * (ys[k - 1] + ys[k]) / 2;
  return a;
}

/** Pixel indices from most to least salient; equal values keep raster order (stable). */
export function salienceOrder(saliency: ArrayLike<number>): Uint32Array {
  const order = Array.from({ length: saliency.length }, (_, i) => i);
  order.sort((a, b) => saliency[b] - saliency[a] || a - b);
  return Uint32Array.from(order);
}

/** Pixels changed at step k of K: n_k = round(k·P/K), so n_0 = 0 and n_K = P. */
export function stepCounts(pixels: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a whole number ≥ 1, got ${steps}`);
  return Array.from({ length: steps + 1 }, (_, k) => Math.round((k * pixels) / steps));
}

export type CurveKind = 'deletion' | 'insertion';

/**
 * The mask M [H·W] of one step of the deletion or insertion game (1 = the
 * image's pixel, 0 = the baseline's):
 *   deletion:  1 everywhere but the `count` most salient pixels
 *   insertion: 0 everywhere but the `count` most salient pixels
 */
export function curveMask(mask: Float32Array, order: Uint32Array, count: number, kind: CurveKind): Float32Array {
  const [rest, chosen] = kind === 'deletion' ? [1, 0] : [0, 1];
  mask.fill(rest);
  for (let r = 0; r < count; r++) mask[order[r]] = chosen;
  return mask;
}

/**
 * One image of the deletion or insertion game, planar [C, H, W] in `out`:
 * baseline + (image − baseline)·M with M = curveMask (every channel of a
 * chosen pixel moves together).
 */
export function curveImage(
  out: Float32Array, image: Float32Array, baseline: Float32Array, order: Uint32Array, count: number, kind: CurveKind,
): Float32Array {
  const plane = order.length;
  const mask = curveMask(new Float32Array(plane), order, count, kind);
  for (let i = 0; i < image.length; i++) out[i] = mask[i % plane] ? image[i] : baseline[i];
  return out;
}

/** Target probability for each planar image [C, H, W] of a batch. */
export type Scorer = (images: readonly Float32Array[]) => number[] | Promise<number[]>;

export interface Curve {
  /** Fraction of pixels changed, n_k / P, from 0 to 1. */
  fractions: number[];
  probabilities: number[];
  auc: number;
}

/**
 * Deletion or insertion curve of one image (K + 1 images through `score`,
 * in one call). Deletion AUC: lower is better; insertion AUC: higher is better.
 */
export async function curve(
  kind: CurveKind, image: Float32Array, baseline: Float32Array, saliency: ArrayLike<number>, score: Scorer, steps = 16,
): Promise<Curve> {
  const order = salienceOrder(saliency);
  const counts = stepCounts(order.length, steps);
  const images = counts.map((n) => curveImage(new Float32Array(image.length), image, baseline, order, n, kind));
  const probabilities = await score(images);
  const fractions = counts.map((n) => n / order.length);
  return { fractions, probabilities, auc: trapezoidAuc(fractions, probabilities) };
}
