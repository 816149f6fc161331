/**
 * From the optimized areas to the explanation a reader gets: the area
 * sweep (each area's probability with its region kept and deleted) and
 * one reported mask, chosen by chooseArea.
 */
import { backendReport, type Tensor } from '@maskgrad/autograd';
import type { Classifier } from '../objective.js';
import type { ProgressEvent } from '../options.js';
import type { ExplainResult } from '../result.js';
import { keepsShare } from './adapt.js';
import { runExtremal, type AreaResult } from './extremal.js';
import type { ExtremalGame, ResolvedExtremalOptions } from './options.js';

/**
 * The reported area, given the original probability p0 and the share s (keepShare):
 *   preservation, dual  the smallest area whose region alone keeps p ≥ s·p0;
 *                       if none does, the area that keeps the most
 *   deletion            the smallest area whose deletion leaves p ≤ (1 − s)·p0;
 *                       if none does, the area whose deletion leaves the least
 * Areas are in ascending order; ties go to the smaller area.
 */
export function chooseArea(areas: readonly Pick<AreaResult, 'probabilityKept' | 'probabilityDeleted'>[], p0: number, game: ExtremalGame, share: number): number {
  const deletion = game === 'deletion';
  const score = (r: (typeof areas)[number]) => (deletion ? -r.probabilityDeleted : r.probabilityKept);
  const enough = areas.findIndex((r) => keepsShare(r, p0, game, share));
  if (enough >= 0) return enough;
  let best = 0;
  areas.forEach((r, i) => { if (score(r) > score(areas[best])) best = i; });
  return best;
}

/** Explain images x [N, 3, H, W] for their targets with the extremal perturbation. */
export async function explainExtremalBatch(
  model: Classifier, x: Tensor, targets: readonly number[], before: readonly number[], o: ResolvedExtremalOptions,
  onProgress?: (p: ProgressEvent) => void,
): Promise<ExplainResult[]> {
  const run = await runExtremal(model, x, targets, o, onProgress, before);
  const backend = backendReport(x.backend);
  return targets.map((target, i) => {
    const areas = run.areas[i];
    const chosen = chooseArea(areas, before[i], o.game, o.keepShare);
    const r = areas[chosen];
    return {
      method: 'extremal' as const,
      mask: r.mask,
      upsampledMask: r.upsampledMask,
      target,
      label: model.labels[target],
      probabilityBefore: before[i],
      probabilityAfter: o.game === 'deletion' ? r.probabilityDeleted : r.probabilityKept,
      probabilityPerturbed: run.probabilityPerturbed[i],
      history: r.history,
      options: o,
      backend,
      perturbed: run.perturbed[i][chosen],
      baseline: run.baseline[i],
      areas,
      chosenArea: chosen,
      sweep: run.sweep[i],
    };
  });
}
