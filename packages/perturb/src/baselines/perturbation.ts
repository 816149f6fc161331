/**
 * A perturbation method's explanation as a saliency map, at the image
 * size, higher = more important:
 *   extremal (every game): S = the mean of the masks of the areas up to the
 *     reported one, so a pixel kept at each of them scores 1 (TorchRay's
 *     pointing benchmark sums the masks over all areas). The larger areas
 *     are left out: the reported area already keeps the class, so what a
 *     larger mask adds is where the area constraint had to put mass the
 *     class did not need, and it lands where the perturbation changes least,
 *     the uniform background along the image border (src/eval/README.md,
 *     "Border discs")
 *   meaningful, deletion game:     S = 1 − M   (what had to be deleted to destroy the class)
 *   meaningful, preservation game: S = M       (what had to be kept to keep it)
 * and the region a reader sees in it (regionOfExplanation): for the extremal
 * perturbation the reported area's mask, for the meaningful one its map.
 */
import type { Tensor } from '@maskgrad/autograd';
import { explainBatch, type ExplainResult } from '../explain.js';
import type { Classifier } from '../objective.js';
import type { ExplainOptions } from '../options.js';
import { checkBatch } from './saliency.js';

export interface PerturbationSaliencyOptions extends Omit<ExplainOptions, 'target'> {
  /** Receives explainBatch's full results (masks, probabilities, history). */
  onResults?: (results: ExplainResult[]) => void;
}

export function saliencyOfExplanation(r: ExplainResult): Float32Array {
  const up = r.upsampledMask.values;
  if (r.method === 'extremal' && r.areas && r.areas.length > 0) {
    const used = r.areas.slice(0, (r.chosenArea ?? r.areas.length - 1) + 1);
    const s = new Float32Array(up.length);
    for (const a of used) a.upsampledMask.values.forEach((v, i) => (s[i] += v / used.length));
    return s;
  }
  return r.options.method === 'meaningful' && r.options.game === 'deletion' ? up.map((v) => 1 - v) : up.slice();
}

/** The mask a reader is shown (values in [0, 1], higher = the region): extremal, the reported area's; meaningful, its saliency. */
export function regionOfExplanation(r: ExplainResult): Float32Array {
  return r.method === 'extremal' ? r.upsampledMask.values.slice() : saliencyOfExplanation(r);
}

/** One explainBatch over the whole batch (all masks optimized together). */
export async function perturbationSaliency(
  model: Classifier, x: Tensor, targets: readonly number[], options: PerturbationSaliencyOptions = {},
): Promise<Float32Array[]> {
  checkBatch(x, targets);
  const { onResults, ...explainOptions } = options;
  const results = await explainBatch(model, x, { ...explainOptions, target: targets });
  onResults?.(results);
  return results.map(saliencyOfExplanation);
}
