/**
 * Occlusion (Zeiler & Fergus 2014): slide a grey patch over the image and
 * record how much the target probability drops,
 *   S(u) = mean over windows W ∋ u of  f_c(x) − f_c(x with W set to grey).
 * Windows start every `stride` pixels, plus one flush with the far border so
 * every pixel is covered. All occluded images of a batch go through the
 * model `batchSize` at a time.
 */
import type { Tensor } from '@maskgrad/autograd';
import type { Classifier } from '../objective.js';
import { checkBatch, maskedProbabilities } from './saliency.js';

export interface OcclusionOptions {
  /** Patch side in pixels; default image side / 8. */
  patch?: number;
  /** Step between windows; default patch / 2. */
  stride?: number;
  /** Grey level of the patch, in [0, 1]. */
  value?: number;
  /** Occluded images per forward pass. */
  batchSize?: number;
}

/** Window starts along an axis of `size` pixels: 0, stride, 2·stride, …, and size − patch. */
export function windowStarts(size: number, patch: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + patch <= size; s += stride) starts.push(s);
  if (starts[starts.length - 1] !== size - patch) starts.push(size - patch);
  return starts;
}

export async function occlusionSaliency(model: Classifier, x: Tensor, targets: readonly number[], options: OcclusionOptions = {}): Promise<Float32Array[]> {
  const [n, , h, w] = checkBatch(x, targets);
  const patch = options.patch ?? Math.max(1, Math.round(Math.min(h, w) / 8));
  const stride = options.stride ?? Math.max(1, Math.round(patch / 2));
  const value = options.value ?? 0.5;
  if (!(Number.isInteger(patch) && patch >= 1 && patch <= Math.min(h, w))) throw new Error(`occlusion: patch must be a whole number from 1 to ${Math.min(h, w)}, got ${patch}`);
  if (!(Number.isInteger(stride) && stride >= 1)) throw new Error(`occlusion: stride must be a whole number ≥ 1, got ${stride}`);
  const windows = windowStarts(h, patch, stride).flatMap((y0) => windowStarts(w, patch, stride).map((x0) => ({ x0, y0 })));
  const plane = h * w;
  const per = windows.length + 1;
  // per image: sample 0 is the clean image, sample j ≥ 1 has window j − 1 greyed out
  const occlude = (i: number, mask: Float32Array) => {
    const j = i % per;
    mask.fill(1);
    if (j > 0) {
      const { x0, y0 } = windows[j - 1];
      for (let y = y0; y < y0 + patch; y++) mask.fill(0, y * w + x0, y * w + x0 + patch);
    }
    return Math.floor(i / per);
  };
  const p = await maskedProbabilities(model, x, value, n * per, occlude, (i) => targets[Math.floor(i / per)], options.batchSize);
  return Array.from({ length: n }, (_, k) => {
    const clean = p[k * per];
    const drop = new Float32Array(plane);
    const cover = new Float32Array(plane);
    windows.forEach(({ x0, y0 }, j) => {
      const d = clean - p[k * per + j + 1];
      for (let y = y0; y < y0 + patch; y++) for (let xx = x0; xx < x0 + patch; xx++) {
        drop[y * w + xx] += d;
        cover[y * w + xx] += 1;
      }
    });
    return drop.map((v, i) => v / cover[i]);
  });
}
