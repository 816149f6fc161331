/**
 * What an explanation says about an image, as numbers a detector can use.
 * PGD noise is high-frequency and spread over the image; blurring removes
 * much of it, so the explainer behaves differently on an adversarial image:
 * its class survives less of the blur, and the mask that keeps it is larger
 * and more scattered than the blob a clean object gets.
 *
 * Features of one explanation (the low-resolution mask m, h×w values in
 * [0, 1]; p the probabilities of the explained class, which is the image's
 * predicted class):
 *   maskMean       mean m
 *   maskArea       share of cells with m > 0.5
 *   maskTv         mean |m[i+1,j] − m[i,j]| + mean |m[i,j+1] − m[i,j]|  (TV with β = 1)
 *   maskEntropy    mean binary entropy −m ln m − (1−m) ln(1−m), in nats
 *   maskMax        max m
 *   logitBefore    logit p(x)                     (the model's confidence)
 *   logitAfter     logit p(Φ(x; M)), final mask
 *   logitFirst     logit p at the first iteration (preservation: Φ with m = 0.5, half x, half P)
 *   logitPerturbed logit p(P): the fully perturbed (blurred) image
 *   finalLoss      the objective at the last iteration
 *   mask4x4_rc     the mask average-pooled to 4×4, row r, column c
 * Probabilities enter as logits, clamped to [1e-6, 1 − 1e-6]: the logistic
 * regression is linear in its inputs, and p near 1 says little linearly.
 */
import type { Tensor } from '@maskgrad/autograd';
import { explainBatch, type ExplainResult, type MaskImage } from '../explain.js';
import type { Classifier } from '../objective.js';
import type { ExplainOptions } from '../options.js';

/** Side of the pooled mask grid. */
export const GRID = 4;

const GRID_NAMES = Array.from({ length: GRID * GRID }, (_, i) => `mask4x4_${Math.floor(i / GRID)}${i % GRID}`);

/** Every feature explanationFeatures() computes, in a fixed order. */
export const FEATURE_NAMES: readonly string[] = [
  'maskMean', 'maskArea', 'maskTv', 'maskEntropy', 'maskMax',
  'logitBefore', 'logitAfter', 'logitFirst', 'logitPerturbed', 'finalLoss',
  ...GRID_NAMES,
];

export type Features = Record<string, number>;

/** What the features need of an explanation (a part of ExplainResult). */
export type Explanation = Pick<ExplainResult, 'mask' | 'probabilityBefore' | 'probabilityAfter' | 'probabilityPerturbed' | 'history'>;

const P_MIN = 1e-6;

/** ln(p / (1 − p)) with p clamped to [1e-6, 1 − 1e-6]. */
export function logit(p: number): number {
  const q = Math.min(1 - P_MIN, Math.max(P_MIN, p));
  return Math.log(q / (1 - q));
}

function entropy(m: number): number {
  const q = Math.min(1 - P_MIN, Math.max(P_MIN, m));
  return -q * Math.log(q) - (1 - q) * Math.log(1 - q);
}

/** The mask average-pooled to GRID×GRID (cell (y, x) goes to (⌊y·GRID/h⌋, ⌊x·GRID/w⌋); a mask under 4 cells a side is sampled). */
export function poolMask(mask: MaskImage): number[] {
  const { width: w, height: h, values } = mask;
  const sum = new Array<number>(GRID * GRID).fill(0);
  const count = new Array<number>(GRID * GRID).fill(0);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const cell = Math.floor((y * GRID) / h) * GRID + Math.floor((x * GRID) / w);
      sum[cell] += values[y * w + x];
      count[cell]++;
    }
  }
  return sum.map((s, cell) => {
    if (count[cell] > 0) return s / count[cell];
    const y = Math.floor(((Math.floor(cell / GRID) + 0.5) * h) / GRID);
    const x = Math.floor((((cell % GRID) + 0.5) * w) / GRID);
    return values[y * w + x];
  });
}

/** The mask features (maskMean … maskMax, mask4x4_rc) of one mask. */
export function maskFeatures(mask: MaskImage): Features {
  const { width: w, height: h, values } = mask;
  if (values.length !== w * h) throw new Error(`maskFeatures(): ${values.length} values for a ${w}×${h} mask`);
  let total = 0, above = 0, ent = 0, max = -Infinity, dv = 0, dh = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = values[y * w + x];
      total += v;
      above += v > 0.5 ? 1 : 0;
      ent += entropy(v);
      max = Math.max(max, v);
      if (y + 1 < h) dv += Math.abs(values[(y + 1) * w + x] - v);
      if (x + 1 < w) dh += Math.abs(values[y * w + x + 1] - v);
    }
  }
  const n = w * h;
  const tv = (h > 1 ? dv / ((h - 1) * w) : 0) + (w > 1 ? dh / (h * (w - 1)) : 0);
  const grid = poolMask(mask);
  return {
    maskMean: total / n, maskArea: above / n, maskTv: tv, maskEntropy: ent / n, maskMax: max,
    ...Object.fromEntries(GRID_NAMES.map((name, i) => [name, grid[i]])),
  };
}

/** All features of one explanation. */
export function explanationFeatures(e: Explanation): Features {
  if (e.history.length === 0) throw new Error('explanationFeatures(): the explanation has no iterations');
  const mask = maskFeatures(e.mask);
  const features: Features = {
    ...mask,
    logitBefore: logit(e.probabilityBefore),
    logitAfter: logit(e.probabilityAfter),
    logitFirst: logit(e.history[0].probability),
    logitPerturbed: logit(e.probabilityPerturbed),
    finalLoss: e.history[e.history.length - 1].loss,
  };
  return Object.fromEntries(FEATURE_NAMES.map((name) => [name, features[name]]));
}

/** Images start..end of a batch [N, ...]. */
function rows(x: Tensor, start: number, end: number): Tensor {
  return start === 0 && end === x.shape[0] ? x : x.slice(0, start, end);
}

/**
 * explainBatch over images [N, 3, S, S], `batchSize` at a time: the
 * objective separates per image, so the batch size does not change the masks.
 */
export async function explainInBatches(
  model: Classifier, x: Tensor, options: ExplainOptions, batchSize = 16, onBatch?: (done: number, total: number) => void,
): Promise<ExplainResult[]> {
  const results: ExplainResult[] = [];
  const n = x.shape[0];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    results.push(...(await explainBatch(model, rows(x, start, end), options)));
    onBatch?.(end, n);
  }
  return results;
}

export interface ExplainedFeatures {
  results: ExplainResult[];
  features: Features[];
}

/** Explain images [N, 3, S, S] (pixels in [0, 1]) for their predicted class and compute their features. */
export async function explainFeatures(
  model: Classifier, x: Tensor, options: ExplainOptions, batchSize = 16, onBatch?: (done: number, total: number) => void,
): Promise<ExplainedFeatures> {
  if (options.target !== undefined) throw new Error('explainFeatures(): features are defined for the predicted class; leave options.target out');
  const results = await explainInBatches(model, x, options, batchSize, onBatch);
  return { results, features: results.map((r) => explanationFeatures(r)) };
}
