/**
 * Extremal perturbations (Fong, Patrick & Vedaldi, "Understanding Deep Networks via Extremal
 * Perturbations and Smooth Masks", ICCV 2019), on maskgrad's autograd, from the images to the
 * explanation a reader gets. For each image and each area a in `areas`, one mask m_a (smooth by
 * construction, ./mask-generator.ts) is optimized (./optimize.ts: the objective, run by ../iterate.ts);
 * every area of every image is one row of one batch. Then each mask is scored with its region kept
 * and deleted; smaller areas are added where the object is small (./adapt.ts), and the sweep is
 * made monotone where a restart can (./monotone.ts). Last, one area's mask is reported, chosen by
 * chooseArea.
 */
import { backendReport, noGrad, tidy, type Tensor } from '@maskgrad/autograd';
import { checkFinite } from '../finite.js';
import { targetProbability, type Classifier } from '../objective.js';
import type { ProgressEvent } from '../options.js';
import type { ExplainResult } from '../result.js';
import { maskGeometry, maskWeights } from './mask-generator.js';
import { extendSweep, keepsShare } from './adapt.js';
import { repairSweep, sweepNotes, type SweepNote, type SweepRow } from './monotone.js';
import { measureRows, optimizeRows, type RowHistory, type ScoredMask, type Setting } from './optimize.js';
import type { ExtremalGame, ResolvedExtremalOptions } from './options.js';
import { blurPyramid, fullyPerturbed } from './pyramid.js';

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

/** One optimized area of one image. */
export interface AreaResult extends ScoredMask {
  area: number;
  history: RowHistory;
  /** Whether this mask comes from a second run started from the next smaller area's mask (./monotone.ts). */
  restarted: boolean;
}

export interface ExtremalRun {
  /** Per image, its areas ascending: the options' areas, and any smaller ones the sweep added (./adapt.ts). */
  areas: AreaResult[][];
  /** Per image: where its sweep still falls from one area to the next (empty when monotone). */
  sweep: SweepNote[][];
  /** Per image: the fully perturbed image's target probability, and its pixels [3, H, W]. */
  probabilityPerturbed: number[];
  baseline: Float32Array[];
  /** Per image and area: Φ with the region kept (preservation, dual) or deleted (deletion), [3, H, W]. */
  perturbed: Float32Array[][];
}

/**
 * Optimize every area of every image of x [N, 3, H, W] (pixels in [0, 1]) for its target; then
 * measure each area's mask with the region kept and deleted, add smaller areas where the smallest
 * already keeps the share (./adapt.ts; only when `before`, the images' probabilities, is given),
 * and repair the sweep where it falls.
 */
export async function runExtremal(
  model: Classifier, x: Tensor, targets: readonly number[], o: ResolvedExtremalOptions, onProgress?: (p: ProgressEvent) => void, before?: readonly number[],
): Promise<ExtremalRun> {
  const [n, , h, w] = x.shape;
  const a = o.areas.length;
  const geometry = maskGeometry(h, o.maskStep, o.maskSigma);
  // the run's constants, made in a tidy scope (the blur's intermediates are freed at once) and disposed at the end
  const { pyramids, weights } = tidy(() => ({ pyramids: blurPyramid(x, o.levels, o.blurSigma), weights: maskWeights(geometry, x.backend) }));
  const s: Setting = { model, pyramids, geometry, weights, o };
  try {
    const owner = Array.from({ length: n * a }, (_, r) => Math.floor(r / a));
    const all = { owner, targets: owner.map((i) => targets[i]), areas: owner.map((_, r) => o.areas[r % a]) };
    const { params, history } = await optimizeRows(s, all, o.maskInit, onProgress);
    let measured;
    try {
      measured = await measureRows(s, all, params);
    } finally {
      params.dispose();
    }
    const rows: SweepRow[][] = Array.from({ length: n }, (_, i) => o.areas.map((area, j) => ({
      area, measured: measured[i * a + j], history: history[i * a + j], restarted: false,
    })));
    if (before) await extendSweep(s, rows, targets, before);
    await repairSweep(s, rows, targets);
    const { probabilityPerturbed, baseline } = await measureBaseline(model, pyramids, targets, w * h);
    const areas = rows.map((r) => r.map(({ area, measured: m, history: hh, restarted }) => ({
      area, probabilityKept: m.probabilityKept, probabilityDeleted: m.probabilityDeleted, mask: m.mask, upsampledMask: m.upsampledMask, history: hh, restarted,
    })));
    return {
      areas, sweep: areas.map((r) => sweepNotes(r, o.game)), probabilityPerturbed, baseline,
      perturbed: rows.map((r) => r.map((row) => row.measured.perturbed)),
    };
  } finally {
    for (const t of [pyramids, weights.image, weights.samples]) t.dispose();
  }
}

/** The fully perturbed images (the pyramids' strongest blur) and their target probabilities. */
async function measureBaseline(model: Classifier, pyramids: Tensor, targets: readonly number[], pixels: number) {
  const out = tidy(() => noGrad(() => {
    const blurred = fullyPerturbed(pyramids);
    return { blurred, p: targetProbability(model.forward(model.normalize(blurred)), targets) };
  }));
  const [bv, pv] = await Promise.all([out.blurred.data(), out.p.data()]);
  out.blurred.dispose();
  out.p.dispose();
  checkFinite(pv, 1, { what: 'the target probability of the fully perturbed image' });
  const plane = 3 * pixels;
  return { probabilityPerturbed: Array.from(pv), baseline: targets.map((_, i) => bv.slice(i * plane, (i + 1) * plane)) };
}
