/**
 * RISE (Petsiuk, Das & Saenko, BMVC 2018): the target probability under
 * many random masks, averaged with each mask as the weight,
 *   S(u) = 1/(N·p) · Σ_i f_c(x ⊙ M_i + g·(1 − M_i)) · M_i(u)
 * M_i: an s×s grid of Bernoulli(p) cells, upsampled bilinearly to
 * (s + 1)·⌈H/s⌉ pixels and cropped at a random shift, so masks are smooth
 * and not tied to the grid. Masked pixels become grey g (0.5). The masks are
 * the same for every image (seeded), rebuilt on demand rather than stored.
 */
import { hashUniform, type Tensor } from '@maskgrad/autograd';
import type { Classifier } from '../objective.js';
import { checkBatch, maskedProbabilities } from './saliency.js';

export interface RiseOptions {
  /** Number of random masks (the paper: 4000 for ResNet-50; fewer is noisier). */
  masks?: number;
  /** Grid side s. */
  cells?: number;
  /** Probability that a cell is kept. */
  keep?: number;
  seed?: number;
  batchSize?: number;
}

/** Mask i [H·W] in [0, 1]. */
export function riseMask(i: number, h: number, w: number, cells: number, keep: number, seed: number): Float32Array {
  const u = (k: number) => hashUniform(i * (cells * cells + 2) + k, seed);
  const grid = Float32Array.from({ length: cells * cells }, (_, k) => (u(k) < keep ? 1 : 0));
  const cellH = Math.ceil(h / cells);
  const cellW = Math.ceil(w / cells);
  const bigH = (cells + 1) * cellH;
  const bigW = (cells + 1) * cellW;
  const dy = Math.floor(u(cells * cells) * cellH);
  const dx = Math.floor(u(cells * cells + 1) * cellW);
  // bilinear, align_corners=false, of the grid onto bigH×bigW, read at (y + dy, x + dx)
  const at = (p: number, big: number) => {
    const src = Math.max(0, ((p + 0.5) * cells) / big - 0.5);
    const i0 = Math.min(Math.floor(src), cells - 1);
    return { i0, i1: Math.min(i0 + 1, cells - 1), f: src - i0 };
  };
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const a = at(y + dy, bigH);
    for (let x = 0; x < w; x++) {
      const b = at(x + dx, bigW);
      const top = grid[a.i0 * cells + b.i0] * (1 - b.f) + grid[a.i0 * cells + b.i1] * b.f;
      const bottom = grid[a.i1 * cells + b.i0] * (1 - b.f) + grid[a.i1 * cells + b.i1] * b.f;
      out[y * w + x] = top * (1 - a.f) + bottom * a.f;
    }
  }
  return out;
}

export async function riseSaliency(model: Classifier, x: Tensor, targets: readonly number[], options: RiseOptions = {}): Promise<Float32Array[]> {
  const [n, , h, w] = checkBatch(x, targets);
  const count = options.masks ?? 500;
  const cells = options.cells ?? 8;
  const keep = options.keep ?? 0.5;
  const seed = options.seed ?? 0;
  const plane = h * w;
  const maps = Array.from({ length: n }, () => new Float32Array(plane));
  for (let k = 0; k < n; k++) {
    const masked = (i: number, mask: Float32Array) => {
      mask.set(riseMask(i, h, w, cells, keep, seed));
      return k;
    };
    const p = await maskedProbabilities(model, x, 0.5, count, masked, () => targets[k], options.batchSize);
    for (let i = 0; i < count; i++) {
      const m = riseMask(i, h, w, cells, keep, seed);
      for (let u = 0; u < plane; u++) maps[k][u] += (p[i] * m[u]) / (count * keep);
    }
  }
  return maps;
}
