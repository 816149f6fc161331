/**
 * A perturbation method's explanation as a saliency map, at the image
 * size, higher = more important:
 *   extremal (every game): S = M, the region found (kept, deleted or both)
 *   meaningful, deletion game:     S = 1 − M   (what had to be deleted to destroy the class)
 *   meaningful, preservation game: S = M       (what had to be kept to keep it)
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
  return r.options.method === 'meaningful' && r.options.game === 'deletion' ? up.map((v) => 1 - v) : up.slice();
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
