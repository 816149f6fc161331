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

/** A map of `size`² values (`planes` of them, planar) read bilinearly at every photo pixel, edges clamped. */
export function sampleOnPhoto(map: Float32Array, size: number, s: PhotoSampling, planes = 1): Float32Array {
  const out = new Float32Array(planes * s.width * s.height);
  const plane = s.width * s.height;
  const clamp = (t: number) => Math.min(size - 1, Math.max(0, t));
  for (let r = 0; r < s.height; r++) {
    const v = clamp(s.v[r]!);
    const y0 = Math.floor(v);
    const y1 = Math.min(size - 1, y0 + 1);
    const fy = v - y0;
    for (let c = 0; c < s.width; c++) {
      const u = clamp(s.u[c]!);
      const x0 = Math.floor(u);
      const x1 = Math.min(size - 1, x0 + 1);
      const fx = u - x0;
      for (let k = 0; k < planes; k++) {
        const m = map.subarray(k * size * size, (k + 1) * size * size);
        const top = m[y0 * size + x0]! * (1 - fx) + m[y0 * size + x1]! * fx;
        const bottom = m[y1 * size + x0]! * (1 - fx) + m[y1 * size + x1]! * fx;
        out[k * plane + r * s.width + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** The photo washed out to grey with dark diagonal hatching: a part the model never saw. */
function unseen(photo: Rgb8, x: number, y: number): [number, number, number] {
  if ((x + y) % 12 < 2) return [90, 90, 90];
  const i = (y * photo.width + x) * 3;
  const grey = Math.round(0.35 * (0.299 * photo.data[i]! + 0.587 * photo.data[i + 1]! + 0.114 * photo.data[i + 2]!) + 150);
  return [grey, grey, grey];
}

/** Fills every pixel with `seenColour` where seen, the unseen hatching elsewhere. */
function paint(photo: Rgb8, s: PhotoSampling, seenColour: (i: number) => [number, number, number]): Rgb8 {
  const data = new Uint8Array(photo.width * photo.height * 3);
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) {
      const i = y * photo.width + x;
      const c = s.seen[i] ? seenColour(i) : unseen(photo, x, y);
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
  const mask = sampleOnPhoto(r.upsampledMask.values, size, s);
  const saliency = sampleOnPhoto(saliencyOfExplanation(r), size, s);
  const phi = sampleOnPhoto(r.perturbed, size, s, 3);
  const x = sampleOnPhoto(input, size, s, 3);
  const baseline = sampleOnPhoto(r.baseline, size, s, 3);
  const plane = photo.width * photo.height;
  const rgb = (planar: Float32Array) => (i: number): [number, number, number] => [to8(planar[i]!), to8(planar[plane + i]!), to8(planar[2 * plane + i]!)];
  const maskPng = paint(photo, s, (i) => [to8(mask[i]!), to8(mask[i]!), to8(mask[i]!)]);
  const heatmap = paint(photo, s, (i) => {
    const c = colormap(saliency[i]!);
    return [0, 1, 2].map((k) => Math.round(0.5 * photo.data[i * 3 + k]! + 0.5 * 255 * c[k]!)) as [number, number, number];
  });
  const perturbed = paint(photo, s, (i) => {
    const m = mask[i]!;
    return [0, 1, 2].map((k) => to8(phi[k * plane + i]! + m * (photo.data[i * 3 + k]! / 255 - x[k * plane + i]!))) as [number, number, number];
  });
  return {
    'mask.png': maskPng,
    'heatmap.png': heatmap,
    'perturbed.png': perturbed,
    'blurred.png': paint(photo, s, rgb(baseline)),
    'collage.png': collage([photo, maskPng, heatmap, perturbed].map((p) => panel(p))),
    ...(r.areas ? {
      'areas.png': collage(r.areas.map((a) => panel(maskToRgb8(a.upsampledMask.values, size, size), 112))),
    } : {}),
  };
}
