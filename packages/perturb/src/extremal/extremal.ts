/**
 * Extremal perturbations (Fong, Patrick & Vedaldi, "Understanding Deep
 * Networks via Extremal Perturbations and Smooth Masks", ICCV 2019), on
 * maskgrad's autograd. For each image and each area a in `areas`, one mask
 * m_a (smooth by construction, ./mask-generator.ts) is found by
 *
 *   m_a = argmax_m  Φ-reward(m) − λ_t·R_a(m)
 *
 * where the reward is the target's logit on the perturbed image (the
 * logit minus the largest other logit with `reward: 'contrastive'`):
 *   preservation  reward(Φ(x; m))                 the region alone keeps the class
 *   deletion      −reward(Φ(x; 1 − m))            deleting the region destroys it
 *   dual          reward(Φ(x; m)) − reward(Φ(x; 1 − m))
 * Φ is the blur pyramid (./pyramid.ts), R_a the area penalty on the sorted
 * mask (./area.ts), and λ_t grows geometrically from `areaWeight` to
 * `areaWeight·areaWeightGrowth` over the run, so the area becomes a hard
 * constraint by the end. Every area of every image is one row of one batch.
 */
import { Adam, full, noGrad, resizeBilinear, tidy, type Tensor } from '@maskgrad/autograd';
import { checkFinite, PERTURBED_OVERFLOW, type Term } from '../finite.js';
import { iterate } from '../iterate.js';
import { oneHot, targetProbability, type Classifier } from '../objective.js';
import type { ProgressEvent } from '../options.js';
import { areaPenalty, areaReference } from './area.js';
import { maskGeometry, maskSamples, maskWeights, smoothMask, type MaskGeometry, type MaskWeights } from './mask-generator.js';
import type { ExtremalGame, ResolvedExtremalOptions } from './options.js';
import { applyPyramid, blurPyramid, fullyPerturbed } from './pyramid.js';

/** One optimized area of one image. */
export interface AreaResult {
  area: number;
  /** Target probability with only this region kept (the rest perturbed), and with it perturbed. */
  probabilityKept: number;
  probabilityDeleted: number;
  /** The mask downsampled to the parameter grid, and at the image size; 1 marks the region. */
  mask: { width: number; height: number; values: Float32Array };
  upsampledMask: { width: number; height: number; values: Float32Array };
  history: { iteration: number; loss: number; probability: number; areaLoss: number }[];
}

export interface ExtremalRun {
  /** Per image, its areas in the order given. */
  areas: AreaResult[][];
  /** Per image: the fully perturbed image's target probability, and its pixels [3, H, W]. */
  probabilityPerturbed: number[];
  baseline: Float32Array[];
  /** Per image and area: Φ with the region kept (preservation, dual) or deleted (deletion), [3, H, W]. */
  perturbed: Float32Array[][];
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

/**
 * Optimize every area of every image of x [N, 3, H, W] (pixels in [0, 1])
 * for its target; then measure each area's mask with the region kept and
 * deleted.
 */
export async function runExtremal(
  model: Classifier, x: Tensor, targets: readonly number[], o: ResolvedExtremalOptions, onProgress?: (p: ProgressEvent) => void,
): Promise<ExtremalRun> {
  const [n, , h, w] = x.shape;
  const areas = o.areas;
  const a = areas.length;
  const k = n * a;
  const backend = x.backend;
  const owner = Array.from({ length: k }, (_, i) => Math.floor(i / a));
  const rowTargets = owner.map((i) => targets[i]);
  const geometry = maskGeometry(h, o.maskStep, o.maskSigma);
  // the run's constants, made in a tidy scope (the blur's intermediates are freed at once) and disposed at the end
  const { pyramids, pyramid, weights, reference, hot } = tidy(() => {
    const all = blurPyramid(x, o.levels, o.blurSigma);
    return {
      pyramids: all,
      pyramid: noGrad(() => all.gather(0, owner).contiguous()),
      weights: maskWeights(geometry, backend),
      reference: areaReference(areas, k, geometry.grid ** 2, backend),
      hot: oneHot(rowTargets, model.labels.length, backend),
    };
  });
  const params = full([k, 1, geometry.grid, geometry.grid], o.maskInit, { requiresGrad: true, backend });
  params.name = 'mask parameters';
  // projected Adam: the step and the clamp to [0, 1] are one kernel
  const opt = new Adam([params], { lr: o.lr, clamp: [0, 1] });
  const growth = o.areaWeightGrowth ** (1 / Math.max(1, o.iterations - 1));
  const history: AreaResult['history'][] = Array.from({ length: k }, () => []);
  const cells = geometry.grid ** 2;
  // everything made above is freed however the run ends (a non-finite value stops it with an error)
  try {
    let lambda = o.areaWeight;
    await iterate({
      iterations: o.iterations, optimizer: opt, terms: TERMS, rowsPerImage: a,
      step: (t) => {
        const masks = smoothMask(params, geometry, weights);
        const { value, kept } = gameReward(model, pyramid, masks, { targets: rowTargets, hot }, o.game, o.reward === 'contrastive', o.flip && t % 2 === 0);
        const penalty = areaPenalty(maskSamples(params, geometry, weights), reference, geometry.marginCells);
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
          areas: owner.map((_, i) => areas[i % a]),
        });
        lambda *= growth;
      },
    });
    return await measure(model, x, targets, o, { params, geometry, weights, pyramid, pyramids, rowTargets, history });
  } finally {
    opt.dispose();
    for (const t of [pyramids, pyramid, weights.image, weights.samples, reference, hot, params]) t.dispose();
  }
}

/** The readback's columns that must be finite, checked in this order (the cause before its effects). */
const TERMS: readonly Term[] = [
  { column: 1, what: 'the target probability of the perturbed image', hint: PERTURBED_OVERFLOW },
  { column: 2, what: 'the area penalty', hint: 'The mask left the range the area term can measure; the run was stopped.' },
  { column: 0, what: 'the loss', hint: 'The reward or the weighted area term overflows float32: use a smaller --area-weight or --area-weight-growth; the run was stopped.' },
  { column: 3, what: 'the mask parameters after the Adam step', hint: 'The gradient of the objective was not finite at this step; a smaller learning rate (--lr) may help. The run was stopped.' },
];

/** The final masks without flipping, each scored with its region kept and deleted, and the fully perturbed images. */
async function measure(
  model: Classifier, x: Tensor, targets: readonly number[], o: ResolvedExtremalOptions,
  s: { params: Tensor; geometry: MaskGeometry; weights: MaskWeights; pyramid: Tensor; pyramids: Tensor; rowTargets: readonly number[]; history: AreaResult['history'][] },
): Promise<ExtremalRun> {
  const [n, , h, w] = x.shape;
  const a = o.areas.length;
  const k = n * a;
  const g = s.geometry.grid;
  // read back: the masks, the probabilities, the fully perturbed images, and only the images the result shows
  const deletion = o.game === 'deletion';
  const out = tidy(() => noGrad(() => {
    const masks = smoothMask(s.params, s.geometry, s.weights);
    const keptImages = applyPyramid(s.pyramid, masks);
    const deletedImages = applyPyramid(s.pyramid, masks.neg().add(1));
    const blurred = fullyPerturbed(s.pyramids);
    const logits = model.forward(model.normalize(keptImages.concat([deletedImages, blurred], 0)));
    const p = targetProbability(logits, [...s.rowTargets, ...s.rowTargets, ...targets]);
    return { masks, low: resizeBilinear(masks, g, g), shown: deletion ? deletedImages : keptImages, blurred, p };
  }));
  const outputs = [out.masks, out.low, out.shown, out.blurred, out.p];
  const [mv, lv, shown, bv, pv] = await Promise.all(outputs.map((t) => t.data()));
  outputs.forEach((t) => t.dispose());
  checkFinite(pv.subarray(0, k), a, { what: 'the target probability with only a final region kept' });
  checkFinite(pv.subarray(k, 2 * k), a, { what: 'the target probability with a final region deleted' });
  checkFinite(pv.subarray(2 * k), 1, { what: 'the target probability of the fully perturbed image' });
  const plane = 3 * h * w;
  return {
    areas: Array.from({ length: n }, (_, i) => o.areas.map((area, j) => {
      const r = i * a + j;
      return {
        area, probabilityKept: pv[r], probabilityDeleted: pv[k + r],
        mask: { width: g, height: g, values: lv.slice(r * g * g, (r + 1) * g * g) },
        upsampledMask: { width: w, height: h, values: mv.slice(r * h * w, (r + 1) * h * w) },
        history: s.history[r],
      };
    })),
    probabilityPerturbed: Array.from({ length: n }, (_, i) => pv[2 * k + i]),
    baseline: Array.from({ length: n }, (_, i) => bv.slice(i * plane, (i + 1) * plane)),
    perturbed: Array.from({ length: n }, (_, i) => o.areas.map((_, j) => shown.slice((i * a + j) * plane, (i * a + j + 1) * plane))),
  };
}

