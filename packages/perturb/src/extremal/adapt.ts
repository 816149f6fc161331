/**
 * Areas that adapt to the object's scale. A fixed list of areas fits
 * objects of one size: when the object is small, even the smallest area
 * keeps the class with room to spare, and the reported region spills far
 * past the object. The sweep already says so: if an image's smallest area
 * keeps the share of the probability the reporting rule asks for
 * (keepShare), a smaller one may too. So, up to `halvings` times, each such
 * image gets one more area, half its smallest, optimized from the start
 * (all such images in one batch); the rule then reports the smallest area
 * that keeps the share, whichever list it came from.
 */
import type { SweepRow } from './monotone.js';
import { measureRows, optimizeRows, type Setting } from './optimize.js';
import type { ExtremalGame } from './options.js';

/**
 * Does an area do what the reporting rule asks (chooseArea, ./extremal.ts)? Preservation, dual: its
 * region alone keeps p ≥ share·p0; deletion: deleting it leaves p ≤ (1 − share)·p0.
 */
export function keepsShare(r: { probabilityKept: number; probabilityDeleted: number }, p0: number, game: ExtremalGame, share: number): boolean {
  return game === 'deletion' ? r.probabilityDeleted <= (1 - share) * p0 : r.probabilityKept >= share * p0;
}

/** Prepend smaller areas in place (rows[i] ascending) while the smallest keeps the share; before[i] is image i's probability. */
export async function extendSweep(s: Setting, rows: SweepRow[][], targets: readonly number[], before: readonly number[]): Promise<void> {
  for (let h = 0; h < s.o.halvings; h++) {
    const fit = rows.flatMap((r, i) => (keepsShare(r[0].measured, before[i], s.o.game, s.o.keepShare) ? [i] : []));
    if (fit.length === 0) return;
    const plan = { owner: fit, targets: fit.map((i) => targets[i]), areas: fit.map((i) => rows[i][0].area / 2) };
    const { params, history } = await optimizeRows(s, plan, s.o.maskInit);
    try {
      const measured = await measureRows(s, plan, params);
      fit.forEach((i, r) => rows[i].unshift({ area: plan.areas[r], measured: measured[r], history: history[r], restarted: false }));
    } finally {
      params.dispose();
    }
  }
}
