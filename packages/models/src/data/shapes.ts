/**
 * "Shapes": a procedural image-classification task. Each image holds ONE
 * object (a disc, square, triangle, cross or ring) of random size, place,
 * rotation and colour, on a textured background (gradient, stripes,
 * checkerboard or smooth noise) with pixel noise. Every sample also
 * carries the object's pixel mask and bounding box, so an explanation can
 * be scored against the truth (did it point at the object?).
 *
 * Deterministic: sample i of makeShapesDataset(n, seed) depends only on
 * (seed, i), on every machine. Browser-safe.
 */
import type { RgbImage } from '../classifier.js';
import { mixSeed, mulberry32, normals, randomInt, uniform, type Random } from './prng.js';

export const SHAPE_CLASSES = ['disc', 'square', 'triangle', 'cross', 'ring'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

export interface ShapeSample {
  image: RgbImage;
  /** Index into SHAPE_CLASSES. */
  label: number;
  /** The object's bounding box [x0, y0, x1, y1], inclusive pixel coordinates. */
  box: [number, number, number, number];
  /** One byte per pixel, row-major: 1 where the pixel's centre lies inside the object. */
  mask: Uint8Array;
}

export interface ShapeOptions {
  /** Image side in pixels (default 64). */
  size?: number;
  /** The class to draw (default: chosen by the seed). */
  label?: number;
  /**
   * How far the colours are from the easiest case: 0 is a white object on
   * plain dark grey, 1 the random colours and textures as drawn; values in
   * between blend the two. A range [lo, hi] draws each image's difficulty
   * from it. Default [0, 0.5]: the task of the built-in model.
   */
  difficulty?: number | readonly [number, number];
  /**
   * Which generator draws the image (default 'standard': the built-in
   * model's task). 'heldout' is another distribution of the same classes,
   * kept out of all tuning so that explanations and the detector can be
   * judged on images nobody tuned them on: backgrounds the standard
   * generator never draws (concentric rings around a random centre, soft
   * blobs), smaller objects (radius 12–30% of the side instead of 16–34%),
   * stronger shading (±30 levels) and a wider range of pixel noise (σ 1–16).
   */
  variant?: ShapeVariant;
}

export type ShapeVariant = 'standard' | 'heldout';
export const SHAPE_VARIANTS: readonly ShapeVariant[] = ['standard', 'heldout'];

/** What differs between the generator variants. */
interface VariantSpec {
  backgrounds: readonly BackgroundKind[];
  radius: readonly [number, number];
  shade: number;
  noise: readonly [number, number];
}

type BackgroundKind = 'gradient' | 'stripes' | 'checker' | 'noise' | 'rings' | 'blobs';

const VARIANTS: Record<ShapeVariant, VariantSpec> = {
  standard: { backgrounds: ['gradient', 'stripes', 'checker', 'noise'], radius: [0.16, 0.34], shade: 15, noise: [2, 12] },
  heldout: { backgrounds: ['rings', 'blobs'], radius: [0.12, 0.3], shade: 30, noise: [1, 16] },
};

export const DEFAULT_DIFFICULTY: readonly [number, number] = [0, 0.5];

const EASY_BACKGROUND = 40;
const EASY_OBJECT = 225;

type Rgb = [number, number, number];

/** Outward normals of the triangle's edges. */
const TRIANGLE_NORMALS = [0, 1, 2].map((k) => {
  const a = Math.PI / 2 + (k * 2 * Math.PI) / 3;
  return [Math.cos(a), Math.sin(a)] as const;
});

/**
 * Is the point (u, v) inside the shape? Coordinates are in the object's
 * frame, scaled so that every shape fits in a circle of radius ~1.
 */
const INSIDE: Record<ShapeClass, (u: number, v: number) => boolean> = {
  disc: (u, v) => u * u + v * v <= 1,
  square: (u, v) => Math.abs(u) <= 0.75 && Math.abs(v) <= 0.75,
  // equilateral triangle with circumradius 1.1 (apothem 0.55): inside all three edge half-planes
  triangle: (u, v) => TRIANGLE_NORMALS.every(([nx, ny]) => u * nx + v * ny <= 0.55),
  cross: (u, v) => (Math.abs(u) <= 0.3 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1),
  ring: (u, v) => {
    const r2 = u * u + v * v;
    return r2 <= 1 && r2 >= 0.5 * 0.5;
  },
};

/** Euclidean distance between two colours (0–255 per channel). */
function colourDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function randomColour(rng: Random): Rgb {
  return [rng() * 255, rng() * 255, rng() * 255];
}

const clamp255 = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : x);

/**
 * A background of two related colours mixed by a texture: the texture's
 * contrast (up to ~70 levels per channel) is kept below the object's, so
 * the object is always the most salient thing in the image.
 */
function drawBackground(rng: Random, size: number, kinds: readonly BackgroundKind[]): { pixels: Float32Array; palette: [Rgb, Rgb] } {
  const c0 = randomColour(rng);
  const c1 = c0.map((c) => clamp255(c + (rng() < 0.5 ? -1 : 1) * uniform(rng, 15, 55))) as Rgb;
  const kind = kinds[randomInt(rng, 0, kinds.length - 1)]!;
  const angle = uniform(rng, 0, 2 * Math.PI);
  const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
  const period = uniform(rng, 4, 14);
  const phase = uniform(rng, 0, 2 * Math.PI);
  const cell = randomInt(rng, 4, 12);
  // smooth value noise: random values on a coarse lattice, interpolated with smoothstep
  const grid = randomInt(rng, 2, 6);
  const lattice = Float32Array.from({ length: (grid + 1) * (grid + 1) }, () => rng());
  const smooth = (t: number) => t * t * (3 - 2 * t);
  // the held-out variant's textures; drawn only for its kinds, so the standard stream is unchanged
  const centre = kind === 'rings' ? [uniform(rng, 0, size), uniform(rng, 0, size)] : [0, 0];
  const blobs = kind === 'blobs'
    ? Array.from({ length: randomInt(rng, 3, 6) }, () => [uniform(rng, 0, size), uniform(rng, 0, size), uniform(rng, 0.1, 0.3) * size])
    : [];

  const mix = (x: number, y: number): number => {
    switch (kind) {
      case 'gradient':
        return Math.min(1, Math.max(0, ((x - size / 2) * ca + (y - size / 2) * sa) / size + 0.5));
      case 'stripes':
        return 0.5 + 0.5 * Math.sin((2 * Math.PI * (x * ca + y * sa)) / period + phase);
      case 'checker':
        return (Math.floor(x / cell) + Math.floor(y / cell)) & 1;
      case 'noise': {
        const gx = (x / size) * grid;
        const gy = (y / size) * grid;
        const [ix, iy] = [Math.min(grid - 1, Math.floor(gx)), Math.min(grid - 1, Math.floor(gy))];
        const [fx, fy] = [smooth(gx - ix), smooth(gy - iy)];
        const at = (i: number, j: number) => lattice[j * (grid + 1) + i]!;
        const top = at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx;
        const bottom = at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx;
        return top * (1 - fy) + bottom * fy;
      }
      case 'rings':
        return 0.5 + 0.5 * Math.sin((2 * Math.PI * Math.hypot(x - centre[0]!, y - centre[1]!)) / period + phase);
      case 'blobs':
        return Math.min(1, blobs.reduce((a, [bx, by, br]) => a + Math.exp(-((x - bx!) ** 2 + (y - by!) ** 2) / (2 * br! * br!)), 0));
    }
  };

  const pixels = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = mix(x, y);
      for (let c = 0; c < 3; c++) pixels[(y * size + x) * 3 + c] = c0[c]! * (1 - t) + c1[c]! * t;
    }
  }
  return { pixels, palette: [c0, c1] };
}

/** Perceived brightness (Rec. 601 luma), 0–255. */
function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

/**
 * An object colour that stands out from both background colours: at least
 * 100 levels away in RGB and 60 levels lighter. Best of 100 tries when no
 * colour qualifies (a very light background); blending toward the easy
 * colours (difficulty < 1) then restores the contrast.
 */
function contrastingColour(rng: Random, palette: [Rgb, Rgb]): Rgb {
  const score = (c: Rgb) => Math.min(
    colourDistance(c, palette[0]) / 100, colourDistance(c, palette[1]) / 100,
    (luma(c) - luma(palette[0])) / 60, (luma(c) - luma(palette[1])) / 60,
  );
  let best = randomColour(rng);
  let bestScore = score(best);
  for (let i = 0; i < 100 && bestScore < 1; i++) {
    const c = randomColour(rng);
    const s = score(c);
    if (s > bestScore) [best, bestScore] = [c, s];
  }
  return best;
}

/** One image of the shapes task, determined by `seed` (and `label`, when given). */
export function makeShape(seed: number, opts: ShapeOptions = {}): ShapeSample {
  const size = opts.size ?? 64;
  const rng = mulberry32(seed);
  const label = opts.label ?? randomInt(rng, 0, SHAPE_CLASSES.length - 1);
  const inside = INSIDE[SHAPE_CLASSES[label]!];
  if (!inside) throw new Error(`makeShape: label ${label} is not a class index in [0, ${SHAPE_CLASSES.length})`);

  const spec = VARIANTS[opts.variant ?? 'standard'];
  if (!spec) throw new Error(`makeShape: variant '${opts.variant}' is not one of ${SHAPE_VARIANTS.join(', ')}`);
  const { pixels, palette } = drawBackground(rng, size, spec.backgrounds);
  const colour = contrastingColour(rng, palette);
  // difficulty d < 1 pulls the colours toward a plain dark background and a white object
  const d = typeof opts.difficulty === 'number' ? opts.difficulty : uniform(rng, ...(opts.difficulty ?? DEFAULT_DIFFICULTY));
  if (d < 1) {
    for (let i = 0; i < pixels.length; i++) pixels[i] = EASY_BACKGROUND + d * (pixels[i]! - EASY_BACKGROUND);
    for (let c = 0; c < 3; c++) colour[c] = EASY_OBJECT + d * (colour[c]! - EASY_OBJECT);
  }

  // the object: radius 16–34% of the side (standard), fully inside the image, any rotation
  const r = uniform(rng, ...spec.radius) * size;
  const extent = 1.1 * r;
  const cx = uniform(rng, extent, size - 1 - extent);
  const cy = uniform(rng, extent, size - 1 - extent);
  const theta = uniform(rng, 0, 2 * Math.PI);
  const [cosT, sinT] = [Math.cos(theta), Math.sin(theta)];
  const insideAt = (x: number, y: number): boolean => {
    const dx = (x - cx) / r;
    const dy = (y - cy) / r;
    return inside(dx * cosT + dy * sinT, -dx * sinT + dy * cosT);
  };
  // a gentle shading across the object (±15 levels, standard), so its colour is not one flat value
  const shadeAngle = uniform(rng, 0, 2 * Math.PI);
  const [shx, shy] = [Math.cos(shadeAngle) * spec.shade, Math.sin(shadeAngle) * spec.shade];
  const noise = normals(rng, size * size * 3, uniform(rng, ...spec.noise));

  const mask = new Uint8Array(size * size);
  const data = new Uint8Array(size * size * 3);
  let [x0, y0, x1, y1] = [size, size, -1, -1];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      // anti-aliased edges: the fraction of 3×3 sub-pixel samples inside the object
      // (none can be, more than a pixel beyond the circle of radius 1.1·r that holds every shape)
      let covered = 0;
      if (Math.hypot(x - cx, y - cy) < extent + 1) {
        if (insideAt(x, y)) {
          mask[p] = 1;
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
        for (let sy = -1; sy <= 1; sy++) for (let sx = -1; sx <= 1; sx++) if (insideAt(x + sx / 3, y + sy / 3)) covered++;
      }
      const alpha = covered / 9;
      const shade = ((x - cx) * shx + (y - cy) * shy) / r;
      for (let c = 0; c < 3; c++) {
        const v = pixels[p * 3 + c]! * (1 - alpha) + clamp255(colour[c]! + shade) * alpha;
        data[p * 3 + c] = Math.round(clamp255(v + noise[p * 3 + c]!));
      }
    }
  }
  return { image: { width: size, height: size, data }, label, box: [x0, y0, x1, y1], mask };
}

/**
 * n images with balanced classes (image i has label i mod #classes), each
 * drawn from its own seed mixSeed(seed, i). Different seeds give disjoint
 * draws: use one seed for training and another for testing.
 */
export function makeShapesDataset(n: number, seed: number, opts: Omit<ShapeOptions, 'label'> = {}): ShapeSample[] {
  return Array.from({ length: n }, (_, i) => makeShape(mixSeed(seed, i), { ...opts, label: i % SHAPE_CLASSES.length }));
}
