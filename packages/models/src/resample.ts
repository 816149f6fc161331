// Antialiased resizing of 8-bit RGB images, computed as Pillow's Image.resize computes it
// (libImaging/Resample.c), so that a checkpoint sees the pixels it was trained and evaluated on
// (transformers' ViTImageProcessor and timm's eval transforms both resize with PIL).
//
// Separable convolution: for each output pixel, the filter is centred at the source position of
// the pixel's centre, (x + ½)·scale, and stretched by the downscale factor (support × max(scale, 1)),
// so a downscale averages every source pixel it covers instead of sampling a few (aliasing).
// Weights are normalized to sum 1, then rounded to 22-bit fixed point; the horizontal pass runs
// first and is rounded to 8 bits before the vertical pass, as in Pillow. Own code, same arithmetic.

import type { RgbImage } from './rgb-image.js';

/** Pillow's resampling filters by name; transformers stores their numbers (PILImageResampling). */
export type ResampleFilter = 'nearest' | 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';

/** PIL.Image.Resampling's numbering, as `resample` in preprocessor_config.json. */
export const PIL_RESAMPLE_BY_NUMBER: Readonly<Record<number, ResampleFilter>> = {
  0: 'nearest', 1: 'lanczos', 2: 'bilinear', 3: 'bicubic', 4: 'box', 5: 'hamming',
};

const sinc = (x: number): number => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));

/** Each filter's kernel and its support (half-width) at scale 1. Bicubic is Keys' cubic with a = −0.5. */
const FILTERS: Record<Exclude<ResampleFilter, 'nearest'>, { support: number; kernel: (x: number) => number }> = {
  box: { support: 0.5, kernel: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, kernel: (x) => Math.max(0, 1 - Math.abs(x)) },
  hamming: { support: 1, kernel: (x) => (x <= -1 || x >= 1 ? 0 : x === 0 ? 1 : sinc(x) * (0.54 + 0.46 * Math.cos(Math.PI * x))) },
  bicubic: {
    support: 2,
    kernel: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, kernel: (x) => (x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

/** For each output index: the first source index, how many follow, and their fixed-point weights. */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  /** `count[i]` weights for output i start at `i * width`. */
  weights: Float64Array;
  width: number;
}

function taps(inSize: number, outSize: number, filter: (typeof FILTERS)[keyof typeof FILTERS]): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const width = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * width);
  const raw = new Float64Array(width);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    // C's (int) truncation of a value that is ≥ −0.5 + 0.5: Math.trunc, then clamped
    const lo = Math.max(0, Math.trunc(centre - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(centre + support + 0.5));
    let sum = 0;
    for (let k = 0; k < hi - lo; k++) {
      raw[k] = filter.kernel((k + lo - centre + 0.5) / filterScale);
      sum += raw[k];
    }
    for (let k = 0; k < hi - lo; k++) {
      const w = sum === 0 ? raw[k] : raw[k] / sum;
      // Pillow rounds half away from zero into 22-bit fixed point
      weights[i * width + k] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    first[i] = lo;
    count[i] = hi - lo;
  }
  return { first, count, weights, width };
}

/** Fixed-point sum → 8 bits: add ½, shift, clamp (Pillow's clip8). */
const clip8 = (acc: number): number => {
  const v = Math.floor(acc / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/** One pass along rows (`horizontal`) or columns, from `src` (sw × sh) to a new image. */
function pass(src: RgbImage, t: Taps, horizontal: boolean): RgbImage {
  const width = horizontal ? t.first.length : src.width;
  const height = horizontal ? src.height : t.first.length;
  const out = new Uint8Array(width * height * 3);
  const sd = src.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = horizontal ? x : y;
      const n = t.count[i];
      const w0 = i * t.width;
      let r = ONE / 2;
      let g = ONE / 2;
      let b = ONE / 2;
      for (let k = 0; k < n; k++) {
        const s = horizontal ? (y * src.width + t.first[i] + k) * 3 : ((t.first[i] + k) * src.width + x) * 3;
        const w = t.weights[w0 + k];
        r += sd[s] * w;
        g += sd[s + 1] * w;
        b += sd[s + 2] * w;
      }
      const o = (y * width + x) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width, height, data: out };
}

/** Nearest neighbour as Pillow samples it: the source pixel under each output pixel's centre. */
function nearest(img: RgbImage, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / width));
      out.set(img.data.subarray((sy * img.width + sx) * 3, (sy * img.width + sx) * 3 + 3), (y * width + x) * 3);
    }
  }
  return { width, height, data: out };
}

/** `img` resized to width × height with Pillow's `filter`, as Image.resize((width, height), filter) does. */
export function resampleRgb8(img: RgbImage, width: number, height: number, filter: ResampleFilter): RgbImage {
  if (!(Number.isSafeInteger(width) && width > 0 && Number.isSafeInteger(height) && height > 0)) {
    throw new RangeError(`resampleRgb8: the target size must be positive whole numbers, got ${width} x ${height}`);
  }
  if (width === img.width && height === img.height) return img;
  if (filter === 'nearest') return nearest(img, width, height);
  const f = FILTERS[filter];
  const across = width === img.width ? img : pass(img, taps(img.width, width, f), true);
  return height === img.height ? across : pass(across, taps(img.height, height, f), false);
}
