/**
 * Undoing an adversarial perturbation with the explainer's own perturbation.
 * PGD noise is high-frequency, and the blur that the explainer uses as "no
 * information" removes much of it. Two ways to spend the blur:
 *   global    blur the whole image (gaussianBlur with the explainer's σ)
 *   deletion  blur only where the deletion game for the predicted class says:
 *             the smallest region whose blurring destroys that class, and
 *             return Φ(x; M) = x·M + blur(x)·(1 − M)
 * and the measure of how much each changed the image: PSNR to the clean one.
 */
import type { Tensor } from '@maskgrad/autograd';
import type { ExplainResult } from '../explain.js';
import type { Classifier } from '../objective.js';
import type { ExplainOptions } from '../options.js';
import { explainInBatches } from './features.js';

/** Peak signal-to-noise ratio in dB, 10·log10(peak² / MSE), of two images with values in [0, peak]; Infinity when equal. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, peak = 1): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`psnr(): images of ${a.length} and ${b.length} values`);
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((peak * peak) / (se / a.length));
}

/** The meaningful perturbation's deletion game with otherwise the same options (the mask starts at 1, all kept). */
export function deletionOptions(options: ExplainOptions): ExplainOptions {
  const o: ExplainOptions = { ...options, method: 'meaningful', game: 'deletion', maskInit: 1 };
  delete o.target; // the predicted class
  delete o.onProgress;
  return o;
}

/**
 * De-noise images [N, 3, S, S] by blurring the region that the deletion game
 * finds for their predicted class: Φ(x; M) per image ([3, S, S] planes), with
 * the explanations.
 */
export async function denoiseByDeletion(
  model: Classifier, x: Tensor, options: ExplainOptions, batchSize = 16, onBatch?: (done: number, total: number) => void,
): Promise<{ images: Float32Array[]; results: ExplainResult[] }> {
  const results = await explainInBatches(model, x, deletionOptions(options), batchSize, onBatch);
  return { images: results.map((r) => r.perturbed), results };
}
