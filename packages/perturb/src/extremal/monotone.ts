/**
 * A monotone area sweep. A larger region can do whatever a smaller one
 * inside it does, so the probability the region keeps should not fall as
 * the area grows (nor, in the deletion game, the probability left when it
 * is deleted rise). Where it does by more than SWEEP_TOLERANCE, the larger
 * area's optimization ended somewhere worse than a region it could have
 * grown from: it is run again, started from the next smaller area's final
 * mask (ascending, so a restarted area can seed the next), and the better
 * of the two masks is kept. A drop that survives the restart is reported
 * with why (SweepNote), not hidden.
 */
import type { ExtremalGame } from './options.js';
import { measureRows, optimizeRows, type MeasuredRow, type RowHistory, type Setting } from './optimize.js';

/** The largest fall in probability from one area to the next larger one that counts as monotone. */
export const SWEEP_TOLERANCE = 0.02;

type Scored = { probabilityKept: number; probabilityDeleted: number };

/**
 * How much worse the larger area does than the smaller one: preservation and dual,
 * kept(smaller) − kept(larger); deletion, deleted(larger) − deleted(smaller). Positive = a fall.
 */
export function sweepDrop(smaller: Scored, larger: Scored, game: ExtremalGame): number {
  return game === 'deletion' ? larger.probabilityDeleted - smaller.probabilityDeleted : smaller.probabilityKept - larger.probabilityKept;
}

/** A fall of more than SWEEP_TOLERANCE from one area to the next that the restart did not remove. */
export interface SweepNote {
  area: number;
  smallerArea: number;
  drop: number;
  /** Why, in words. */
  why: string;
}

/** Every neighbouring pair of areas (ascending) that falls by more than the tolerance. */
export function sweepNotes(areas: readonly (Scored & { area: number; restarted?: boolean })[], game: ExtremalGame): SweepNote[] {
  const notes: SweepNote[] = [];
  const what = game === 'deletion' ? 'deleting it leaves' : 'it keeps';
  const value = (r: Scored) => (game === 'deletion' ? r.probabilityDeleted : r.probabilityKept).toFixed(3);
  for (let j = 1; j < areas.length; j++) {
    const [s, l] = [areas[j - 1], areas[j]];
    const drop = sweepDrop(s, l, game);
    if (!(drop > SWEEP_TOLERANCE)) continue;
    const why = l.restarted
      ? `restarted from area ${s.area}'s mask, the run still ended worse: the extra area it had to take lowers the class on this image`
      : 'a restart from the smaller mask did no better, and the first run is kept';
    notes.push({ area: l.area, smallerArea: s.area, drop, why: `area ${l.area}: ${what} ${value(l)}, area ${s.area}: ${value(s)}; ${why}` });
  }
  return notes;
}

/** One area of one image as the sweep holds it. */
export interface SweepRow {
  area: number;
  measured: MeasuredRow;
  history: RowHistory;
  restarted: boolean;
}

/**
 * Repair the sweep in place: rows[i][j] is image i's area j (ascending; images may have different
 * areas), targets[i] its class. Each area j that falls more than the tolerance below area j − 1
 * is optimized again from area j − 1's parameters (all such images in one batch), and replaced if
 * that does better.
 */
export async function repairSweep(s: Setting, rows: SweepRow[][], targets: readonly number[]): Promise<void> {
  const longest = Math.max(...rows.map((r) => r.length));
  for (let j = 1; j < longest; j++) {
    const bad = rows.flatMap((r, i) => (j < r.length && sweepDrop(r[j - 1].measured, r[j].measured, s.o.game) > SWEEP_TOLERANCE ? [i] : []));
    if (bad.length === 0) continue;
    const plan = { owner: bad, targets: bad.map((i) => targets[i]), areas: bad.map((i) => rows[i][j].area) };
    const cells = s.geometry.grid ** 2;
    const init = new Float32Array(bad.length * cells);
    bad.forEach((i, r) => init.set(rows[i][j - 1].measured.params, r * cells));
    const { params, history } = await optimizeRows(s, plan, init);
    let measured: MeasuredRow[];
    try {
      measured = await measureRows(s, plan, params);
    } finally {
      params.dispose();
    }
    bad.forEach((i, r) => {
      if (sweepDrop(rows[i][j - 1].measured, measured[r], s.o.game) < sweepDrop(rows[i][j - 1].measured, rows[i][j].measured, s.o.game)) {
        rows[i][j] = { area: rows[i][j].area, measured: measured[r], history: history[r], restarted: true };
      }
    });
  }
}
