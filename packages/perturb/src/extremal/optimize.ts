/**
 * The extremal perturbation's optimization of a set of rows, and the
 * measurement of the masks it ends with. A row is one mask: it explains
 * image owner[r] for its target at area areas[r] (./extremal.ts runs every
 * area of every image as one set of rows; ./monotone.ts re-runs a few rows
 * from a smaller area's mask). For each row
 *
 *   m = argmax_m  Φ-reward(m) − λ_t·R_a(m)
 *
 * where the reward is the target's logit on the perturbed image (the
 * logit minus the largest other logit with `reward: 'contrastive'`):
 *   preservation  reward(Φ(x; m))                 the region alone keeps the class
 *   deletion      −reward(Φ(x; 1 − m))            deleting the region destroys it
 *   dual          reward(Φ(x; m)) − reward(Φ(x; 1 − m))
 * Φ is the blur pyramid (./pyramid.ts), R_a the area penalty on the sorted
 * mask (./area.ts), and λ_t grows geometrically from `areaWeight` to
 * `areaWeight·areaWeightGrowth` over the run, so the area becomes a hard
 * constraint by the end.
 */
import { Adam, full, noGrad, resizeBilinear, tensor, tidy, type Tensor } from '@maskgrad/autograd';
import { checkFinite, PERTURBED_OVERFLOW, type Term } from '../finite.js';
import { iterate } from '../iterate.js';
import { oneHot, targetProbability, type Classifier } from '../objective.js';
import type { ProgressEvent } from '../options.js';
import { areaPenalty, areaReference } from './area.js';
import { maskSamples, smoothMask, type MaskGeometry, type MaskWeights } from './mask-generator.js';
import type { ExtremalGame, ResolvedExtremalOptions } from './options.js';
import { applyPyramid } from './pyramid.js';

/** The rows to optimize: row r explains image owner[r] for targets[r] with a mask of area areas[r]. */
export interface Rows {
  owner: readonly number[];
  targets: readonly number[];
  areas: readonly number[];
}

export type RowHistory = { iteration: number; loss: number; probability: number; areaLoss: number }[];

/** What the optimization shares across runs: the images' pyramids [N, L, 3, H, W] and the mask's geometry. */
export interface Setting {
  model: Classifier;
  pyramids: Tensor;
  geometry: MaskGeometry;
  weights: MaskWeights;
  o: ResolvedExtremalOptions;
}

/** The target's logit, or its margin over the best other class (TorchRay's contrastive reward). */
export function reward(logits: Tensor, hot: Tensor, contrastive: boolean): Tensor {
  const own = logits.mul(hot).sum(-1);
  if (!contrastive) return own;
  return own.sub(logits.sub(hot.mul(1e4)).max(-1));
}

/** The K rows' rewards for a game: masks [K, 1, H, W] on pyramids [K, L, 3, H, W]. */
function gameReward(
  model: Classifier, pyramid: Tensor, masks: Tensor, rows: { targets: readonly number[]; hot: Tensor }, game: ExtremalGame, contrastive: boolean, flip: boolean,
): { value: Tensor; kept: Tensor } {
  const hot = rows.hot;
  const k = masks.shape[0];
  const view = (t: Tensor) => (flip ? t.flip(3) : t);
  const images = game === 'preservation' ? applyPyramid(pyramid, masks)
    : game === 'deletion' ? applyPyramid(pyramid, masks.neg().add(1))
      : applyPyramid(pyramid, masks).concat([applyPyramid(pyramid, masks.neg().add(1))], 0);
  const logits = model.forward(model.normalize(view(images)));
  const hots = game === 'dual' ? hot.concat([hot], 0) : hot;
  const r = reward(logits, hots, contrastive);
  const first = game === 'dual' ? logits.slice(0, 0, k) : logits;
  const kept = targetProbability(first, rows.targets);
  if (game === 'preservation') return { value: r, kept };
  if (game === 'deletion') return { value: r.neg(), kept };
  return { value: r.slice(0, 0, k).sub(r.slice(0, k, 2 * k)), kept };
}

/** The readback's columns that must be finite, checked in this order (the cause before its effects). */
const TERMS: readonly Term[] = [
  { column: 1, what: 'the target probability of the perturbed image', hint: PERTURBED_OVERFLOW },
  { column: 2, what: 'the area penalty', hint: 'The mask left the range the area term can measure; the run was stopped.' },
  { column: 0, what: 'the loss', hint: 'The reward or the weighted area term overflows float32: use a smaller --area-weight or --area-weight-growth; the run was stopped.' },
  { column: 3, what: 'the mask parameters after the Adam step', hint: 'The gradient of the objective was not finite at this step; a smaller learning rate (--lr) may help. The run was stopped.' },
];

/**
 * Optimize the rows from `init` (one value for every cell, or the cells of every row: K·grid²
 * values). Returns the final parameters [K, 1, grid, grid] (the caller disposes them) and each
 * row's history; onProgress sees every iteration.
 */
export async function optimizeRows(
  s: Setting, rows: Rows, init: number | Float32Array, onProgress?: (p: ProgressEvent) => void,
): Promise<{ params: Tensor; history: RowHistory[] }> {
  const { model, geometry, o } = s;
  const k = rows.owner.length;
  const backend = s.pyramids.backend;
  const shape = [k, 1, geometry.grid, geometry.grid];
  const { pyramid, reference, hot } = tidy(() => ({
    pyramid: noGrad(() => s.pyramids.gather(0, [...rows.owner]).contiguous()),
    reference: areaReference(rows.areas, k, geometry.grid ** 2, backend),
    hot: oneHot(rows.targets, model.labels.length, backend),
  }));
  const params = typeof init === 'number' ? full(shape, init, { requiresGrad: true, backend }) : tensor(init, shape, { requiresGrad: true, backend });
  params.name = 'mask parameters';
  // projected Adam: the step and the clamp to [0, 1] are one kernel
  const opt = new Adam([params], { lr: o.lr, clamp: [0, 1] });
  const growth = o.areaWeightGrowth ** (1 / Math.max(1, o.iterations - 1));
  const history: RowHistory[] = Array.from({ length: k }, () => []);
  const cells = geometry.grid ** 2;
  try {
    let lambda = o.areaWeight;
    await iterate({
      iterations: o.iterations, optimizer: opt, terms: TERMS, images: rows.owner,
      step: (t) => {
        const masks = smoothMask(params, geometry, s.weights);
        const { value, kept } = gameReward(model, pyramid, masks, { targets: rows.targets, hot }, o.game, o.reward === 'contrastive', o.flip && t % 2 === 0);
        const penalty = areaPenalty(maskSamples(params, geometry, s.weights), reference, geometry.marginCells);
        const loss = penalty.mul(lambda).sub(value);
        // per row its loss, probability, area penalty, the stepped parameters' sum (and the masks, when someone watches)
        const readback = () => {
          const parts = [loss, kept, penalty, params.reshape([k, cells]).sum(-1)].map((v) => v.reshape([k, 1]));
          if (onProgress) parts.push(resizeBilinear(masks, geometry.grid, geometry.grid).reshape([k, cells]));
          return parts[0].concat(parts.slice(1), 1);
        };
        return { loss: loss.sum(), readback };
      },
      record: (values, width, t) => {
        for (let i = 0; i < k; i++) {
          history[i].push({ iteration: t, loss: values[i * width], probability: values[i * width + 1], areaLoss: values[i * width + 2] });
        }
        onProgress?.({
          iteration: t, iterations: o.iterations,
          loss: history.map((hh) => hh[t].loss), probability: history.map((hh) => hh[t].probability),
          mask: Array.from({ length: k }, (_, i) => values.slice(i * width + 4, (i + 1) * width)),
          areas: [...rows.areas],
        });
        lambda *= growth;
      },
    });
    return { params, history };
  } catch (e) {
    params.dispose();
    throw e;
  } finally {
    opt.dispose();
    for (const t of [pyramid, reference, hot]) t.dispose();
  }
}

/** A final mask and its scores, without flipping. */
export interface ScoredMask {
  /** Target probability with only this region kept (the rest perturbed), and with it perturbed. */
  probabilityKept: number;
  probabilityDeleted: number;
  /** The mask downsampled to the parameter grid, and at the image size; 1 marks the region. */
  mask: { width: number; height: number; values: Float32Array };
  upsampledMask: { width: number; height: number; values: Float32Array };
}

/** One row's final mask, as a restart and the result need it. */
export interface MeasuredRow extends ScoredMask {
  /** The parameters themselves (a restart from this mask starts here). */
  params: Float32Array;
  /** Φ with the region kept (preservation, dual) or deleted (deletion), [3, H, W]. */
  perturbed: Float32Array;
}

/** Each row's final mask scored with its region kept and deleted. */
export async function measureRows(s: Setting, rows: Rows, params: Tensor): Promise<MeasuredRow[]> {
  const { model, geometry } = s;
  const k = rows.owner.length;
  const [, , , h, w] = s.pyramids.shape;
  const g = geometry.grid;
  const out = tidy(() => noGrad(() => {
    const pyramid = s.pyramids.gather(0, [...rows.owner]).contiguous();
    const masks = smoothMask(params, geometry, s.weights);
    const keptImages = applyPyramid(pyramid, masks);
    const deletedImages = applyPyramid(pyramid, masks.neg().add(1));
    const logits = model.forward(model.normalize(keptImages.concat([deletedImages], 0)));
    const p = targetProbability(logits, [...rows.targets, ...rows.targets]);
    return { masks, low: resizeBilinear(masks, g, g), shown: s.o.game === 'deletion' ? deletedImages : keptImages, p, params: params.contiguous() };
  }));
  const outputs = [out.masks, out.low, out.shown, out.p, out.params];
  const [mv, lv, shown, pv, par] = await Promise.all(outputs.map((t) => t.data()));
  outputs.forEach((t) => t !== params && t.dispose());
  checkFinite(pv.subarray(0, k), 1, { what: 'the target probability with only a final region kept', images: rows.owner });
  checkFinite(pv.subarray(k, 2 * k), 1, { what: 'the target probability with a final region deleted', images: rows.owner });
  const plane = 3 * h * w;
  return Array.from({ length: k }, (_, r) => ({
    probabilityKept: pv[r], probabilityDeleted: pv[k + r],
    mask: { width: g, height: g, values: lv.slice(r * g * g, (r + 1) * g * g) },
    upsampledMask: { width: w, height: h, values: mv.slice(r * h * w, (r + 1) * h * w) },
    params: par.slice(r * g * g, (r + 1) * g * g),
    perturbed: shown.slice(r * plane, (r + 1) * plane),
  }));
}
