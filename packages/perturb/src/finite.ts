/**
 * The explainers' guard against NaN and ±Infinity. Each iteration reads back one small tensor
 * (./iterate.ts), a row per image (extremal: per image and area) holding its terms; a method
 * names its columns in a table of Terms, and checkTerms stops the run at the first non-finite
 * one with a NonFiniteError naming the iteration, the image and the term, so that nothing is
 * written from a diverged run. One readback, a few comparisons.
 */
import { NonFiniteError } from '@maskgrad/models';

/** The hint when the model's output on a perturbed image is not finite (the weights are then the suspect). */
export const PERTURBED_OVERFLOW = "The model's output is not finite on the perturbed image (its weights overflow float32 there); the run was stopped.";

/** One column of an iteration's readback: what it is, and what to do when it is not finite. */
export interface Term {
  column: number;
  what: string;
  hint: string;
}

interface Where {
  iteration?: number;
  iterations?: number;
  /** Rows per image (extremal: one per area); 1 by default. */
  rowsPerImage?: number;
  /** Each row's image, where rows are not image-major (the extremal sweep's restarted rows). */
  images?: readonly number[];
}

function stop(what: string, value: number, row: number, where: Where, hint: string, checkWeights: boolean): never {
  throw new NonFiniteError({
    what, value, image: where.images?.[row] ?? Math.floor(row / (where.rowsPerImage ?? 1)), iteration: where.iteration, iterations: where.iterations, hint, checkWeights,
  });
}

/**
 * Throws for the first term, in the table's order (the cause before its effects), that is not
 * finite in some row of `values` (rows of `width`).
 */
export function checkTerms(values: Float32Array, width: number, terms: readonly Term[], where: Where): void {
  if (values.every(Number.isFinite)) return;
  for (const { column, what, hint } of terms) {
    for (let row = 0; row * width < values.length; row++) {
      const value = values[row * width + column]!;
      if (!Number.isFinite(value)) stop(what, value, row, where, hint, hint === PERTURBED_OVERFLOW);
    }
  }
}

/**
 * Throws for the first row of `values` (rows of `width`) holding NaN or ±Infinity anywhere:
 * `what` the rows hold, `hint` what to do (default: the weights overflow, check the checkpoint).
 */
export function checkFinite(values: Float32Array, width: number, where: Where & { what: string; hint?: string }): void {
  if (values.every(Number.isFinite)) return;
  for (let row = 0; row * width < values.length; row++) {
    const bad = values.subarray(row * width, (row + 1) * width).find((v) => !Number.isFinite(v));
    if (bad !== undefined) {
      stop(where.what, bad, row, where, where.hint ?? "The model's output is not finite (its weights overflow float32 on this image).", where.hint === undefined || where.hint === PERTURBED_OVERFLOW);
    }
  }
}
