/**
 * The explanation drawn on the user's photo, at its own size and orientation (browser-safe).
 * The mask lives on the model's S × S input, which is a resized (and maybe centre-cropped)
 * copy of the photo; each photo pixel is mapped through that resize and crop
 * (InputGeometry) to the input, where the mask is read bilinearly. Pixels outside the crop
 * were never seen by the model: they are drawn grey and hatched, not given a made-up value.
 */
import type { InputGeometry } from '@maskgrad/models';
import type { ExplainResult } from './explain.js';
import { saliencyOfExplanation } from './baselines/perturbation.js';
import { collage, colormap, maskToRgb8, type Rgb8 } from './render.js';
import { resampleRgb8 } from '@maskgrad/models';

/** Where each photo pixel falls on the model's input, and whether the model saw it. */
export interface PhotoSampling {
  width: number;
  height: number;
  /** Input coordinates (pixel centres at integers) of each photo column and row. */
  u: Float32Array;
  v: Float32Array;
  /** 1 where the photo pixel lies inside the crop. */
  seen: Uint8Array;
}

/** Photo pixel centre → input coordinate: Pillow's resize puts output i at source (i + ½)·scale. */
export function photoSampling(g: InputGeometry): PhotoSampling {
  const axis = (n: number, resized: number, offset: number, size: number) => {
    const at = new Float32Array(n);
    const inside = new Uint8Array(n);
    for (let p = 0; p < n; p++) {
      at[p] = ((p + 0.5) * resized) / n - 0.5 - offset;
      inside[p] = at[p] >= -0.5 && at[p] <= size - 0.5 ? 1 : 0;
    }
    return { at, inside };
  };
  const x = axis(g.source.width, g.resized.width, g.crop.left, g.crop.width);
  const y = axis(g.source.height, g.resized.height, g.crop.top, g.crop.height);
  const seen = new Uint8Array(g.source.width * g.source.height);
  for (let r = 0; r < g.source.height; r++) for (let c = 0; c < g.source.width; c++) seen[r * g.source.width + c] = x.inside[c]! & y.inside[r]!;
  return { width: g.source.width, height: g.source.height, u: x.at, v: y.at, seen };
}

/** Plane `k` of a planar map of `size`² values per plane, read bilinearly at (u, v), edges clamped. */
function bilinear(map: Float32Array, size: number, u: number, v: number, k = 0): number {
  const cu = Math.min(size - 1, Math.max(0, u));
  const cv = Math.min(size - 1, Math.max(0, v));
  const x0 = Math.floor(cu);
  const y0 = Math.floor(cv);
  const x1 = Math.min(size - 1, x0 + 1);
  const y1 = Math.min(size - 1, y0 + 1);
  const fx = cu - x0;
  const fy = cv - y0;
  const o = k * size * size;
  const top = map[o + y0 * size + x0]! * (1 - fx) + map[o + y0 * size + x1]! * fx;
  const bottom = map[o + y1 * size + x0]! * (1 - fx) + map[o + y1 * size + x1]! * fx;
  return top * (1 - fy) + bottom * fy;
}

/** A map of `size`² values read bilinearly at every photo pixel (one plane). */
export function sampleOnPhoto(map: Float32Array, size: number, s: PhotoSampling): Float32Array {
  const out = new Float32Array(s.width * s.height);
  for (let r = 0; r < s.height; r++) for (let c = 0; c < s.width; c++) out[r * s.width + c] = bilinear(map, size, s.u[c]!, s.v[r]!);
  return out;
}

/** The photo washed out to grey with dark diagonal hatching: a part the model never saw. */
function unseen(photo: Rgb8, x: number, y: number): [number, number, number] {
  if ((x + y) % 12 < 2) return [90, 90, 90];
  const i = (y * photo.width + x) * 3;
  const grey = Math.round(0.35 * (0.299 * photo.data[i]! + 0.587 * photo.data[i + 1]! + 0.114 * photo.data[i + 2]!) + 150);
  return [grey, grey, grey];
}

/** Fills every pixel with `seenColour(i, u, v)` where seen, the unseen hatching elsewhere. */
function paint(photo: Rgb8, s: PhotoSampling, seenColour: (i: number, u: number, v: number) => [number, number, number]): Rgb8 {
  const data = new Uint8Array(photo.width * photo.height * 3);
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) {
      const i = y * photo.width + x;
      const c = s.seen[i] ? seenColour(i, s.u[x]!, s.v[y]!) : unseen(photo, x, y);
      data[i * 3] = c[0];
      data[i * 3 + 1] = c[1];
      data[i * 3 + 2] = c[2];
    }
  }
  return { width: photo.width, height: photo.height, data };
}

const to8 = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));

/** A panel of the collage: at most `side` pixels high (antialiased), small ones enlarged to about `side`. */
function panel(img: Rgb8, side = 320): Rgb8 {
  const scale = side / img.height;
  if (scale >= 0.999 && scale < 2) return img;
  const width = Math.max(1, Math.round(img.width * (scale >= 2 ? Math.floor(scale) : scale)));
  const height = Math.max(1, Math.round(img.height * (scale >= 2 ? Math.floor(scale) : scale)));
  return resampleRgb8(img, width, height, scale >= 2 ? 'nearest' : 'bilinear');
}

/**
 * mask, heatmap, perturbed, blurred and collage at the photo's size. `input` is the model's
 * input in [0, 1] ([3, S, S]); the perturbed picture is Φ (what the model saw) with the photo's
 * own detail, lost in the resize, given back in proportion to the mask: Φ + M·(photo − x).
 */
export function renderOnPhoto(r: ExplainResult, photo: Rgb8, input: Float32Array, g: InputGeometry): Record<string, Rgb8> {
  const size = g.crop.width;
  const s = photoSampling(g);
  // every map is read at each pixel as it is painted: no photo-sized float copies of them
  const mask = r.upsampledMask.values;
  const saliency = saliencyOfExplanation(r);
  const rgb = (planar: Float32Array) => (_: number, u: number, v: number): [number, number, number] =>
    [to8(bilinear(planar, size, u, v, 0)), to8(bilinear(planar, size, u, v, 1)), to8(bilinear(planar, size, u, v, 2))];
  const maskPng = paint(photo, s, (_, u, v) => {
    const m = to8(bilinear(mask, size, u, v));
    return [m, m, m];
  });
  const heatmap = paint(photo, s, (i, u, v) => {
    const c = colormap(bilinear(saliency, size, u, v));
    return [0, 1, 2].map((k) => Math.round(0.5 * photo.data[i * 3 + k]! + 0.5 * 255 * c[k]!)) as [number, number, number];
  });
  const perturbed = paint(photo, s, (i, u, v) => {
    const m = bilinear(mask, size, u, v);
    return [0, 1, 2].map((k) => to8(bilinear(r.perturbed, size, u, v, k) + m * (photo.data[i * 3 + k]! / 255 - bilinear(input, size, u, v, k)))) as [number, number, number];
  });
  return {
    'mask.png': maskPng,
    'heatmap.png': heatmap,
    'perturbed.png': perturbed,
    'blurred.png': paint(photo, s, rgb(r.baseline)),
    'collage.png': collage([photo, maskPng, heatmap, perturbed].map((p) => panel(p))),
    ...(r.areas ? {
      'areas.png': collage(r.areas.map((a) => panel(maskToRgb8(a.upsampledMask.values, size, size), 112))),
    } : {}),
  };
}
