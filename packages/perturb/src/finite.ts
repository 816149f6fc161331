/**
 * The explainer's guard against NaN and ±Infinity. Each iteration reads back one small tensor,
 * [N, 5] (per image: loss, target probability, the weighted area and smoothness terms, the sum
 * of the stepped mask; then, when progress is reported, the mask's cells), and checks it on the
 * host: a non-finite value stops the run with a NonFiniteError naming the iteration, the image
 * and the term, so that nothing is written from a diverged run. One readback, a few comparisons.
 */
import type { Tensor } from '@maskgrad/autograd';
import { NonFiniteError } from '@maskgrad/models';
import type { ObjectiveValue } from './objective.js';

/** The columns of the per-iteration readback, per image, in order. */
export const STAT_COLUMNS = ['loss', 'probability', 'area', 'smoothness', 'mask'] as const;
type Column = (typeof STAT_COLUMNS)[number];

/** [N, 5] (or [N, 5 + mask cells] with `withCells`) for one iteration's readback. Call under noGrad. */
export function iterationStats(value: ObjectiveValue, mask: Tensor, withCells: boolean): Tensor {
  const n = mask.shape[0];
  const cells = mask.reshape([n, -1]);
  const columns = [value.loss, value.probability, value.area, value.smoothness, cells.sum(-1)].map((t) => t.reshape([n, 1]));
  return columns[0].concat([...columns.slice(1), ...(withCells ? [cells] : [])], 1);
}

/** The hint when the model's output on a perturbed image is not finite (the weights are then the suspect). */
export const PERTURBED_OVERFLOW = "The model's output is not finite on the perturbed image (its weights overflow float32 there); the run was stopped.";

/** What each column is, and what to do when it is not finite; checked in this order (the cause before its effects). */
const TERMS: [Column, string, string][] = [
  ['probability', 'the target probability f_c(Φ(x; M))', PERTURBED_OVERFLOW],
  ['area', 'the area term l1 · mean|m|', 'Use a smaller l1 (--l1); the run was stopped.'],
  ['smoothness', 'the smoothness term tv · TV_β(m)', 'Use a smaller tv (--tv) or tv-beta (--tv-beta); the run was stopped.'],
  ['loss', 'the loss', 'The sum of the terms overflows float32: use smaller l1 and tv; the run was stopped.'],
  ['mask', 'the mask after the Adam step',
    'The gradient of the objective was not finite at this step; a smaller learning rate (--lr) may help. The run was stopped.'],
];

interface Where {
  iteration?: number;
  iterations?: number;
  /** Rows of any other readback (not STAT_COLUMNS): what they hold. */
  what?: string;
  /** With `what`: what to do about it (default: the model's output is not finite, check the checkpoint). */
  hint?: string;
}

/**
 * Throws a NonFiniteError for the first row (image) of `values` (rows of `width`) that holds
 * NaN or ±Infinity: with `what`, anywhere in the row; else in the STAT_COLUMNS, the cause first.
 */
export function checkFinite(values: Float32Array, width: number, where: Where): void {
  if (values.every(Number.isFinite)) return;
  for (let image = 0; image * width < values.length; image++) {
    const row = values.subarray(image * width, (image + 1) * width);
    if (where.what !== undefined) {
      const bad = row.find((v) => !Number.isFinite(v));
      if (bad === undefined) continue;
      throw new NonFiniteError({
        what: where.what, value: bad, image, iteration: where.iteration, iterations: where.iterations,
        hint: where.hint ?? "The model's output is not finite (its weights overflow float32 on this image).",
        checkWeights: where.hint === undefined || where.hint === PERTURBED_OVERFLOW,
      });
    }
    for (const [column, what, hint] of TERMS) {
      const value = row[STAT_COLUMNS.indexOf(column)]!;
      const checkWeights = hint === PERTURBED_OVERFLOW;
      if (!Number.isFinite(value)) throw new NonFiniteError({ what, value, image, iteration: where.iteration, iterations: where.iterations, hint, checkWeights });
    }
  }
}
