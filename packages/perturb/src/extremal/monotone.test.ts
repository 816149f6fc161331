import { describe, expect, it } from 'vitest';
import { explainBatch } from '../explain.js';
import { resolveOptions } from '../options.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import { maskGeometry, maskWeights } from './mask-generator.js';
import { repairSweep, SWEEP_TOLERANCE, sweepDrop, sweepNotes, type SweepRow } from './monotone.js';
import { measureRows, optimizeRows, type Setting } from './optimize.js';
import type { ResolvedExtremalOptions } from './options.js';
import { blurPyramid } from './pyramid.js';

const model = tinyClassifier();
const x = seededTensor([2, 3, 8, 8], 5, 0, 1);

function setting(over: object): Setting {
  const o = resolveOptions({ method: 'extremal', iterations: 6, areas: [0.25, 0.5], ...over }, 8) as ResolvedExtremalOptions;
  const geometry = maskGeometry(8, o.maskStep, o.maskSigma);
  return { model, pyramids: blurPyramid(x, o.levels, o.blurSigma), geometry, weights: maskWeights(geometry, x.backend), o };
}

/** Both images' areas, optimized and measured together, as the sweep holds them. */
async function sweep(s: Setting): Promise<SweepRow[][]> {
  const owner = [0, 0, 1, 1];
  const rows = { owner, targets: owner.map((i) => [1, 2][i]), areas: owner.map((_, r) => s.o.areas[r % 2]) };
  const { params, history } = await optimizeRows(s, rows, s.o.maskInit);
  const measured = await measureRows(s, rows, params);
  params.dispose();
  return [0, 1].map((i) => [0, 1].map((j) => ({ area: s.o.areas[j], measured: measured[2 * i + j], history: history[2 * i + j], restarted: false })));
}

describe('a monotone area sweep', () => {
  it('sweepDrop: the fall from the smaller area to the larger (kept for preservation and dual, deleted for deletion)', () => {
    const small = { probabilityKept: 0.9, probabilityDeleted: 0.1 };
    const large = { probabilityKept: 0.6, probabilityDeleted: 0.3 };
    expect(sweepDrop(small, large, 'dual')).toBeCloseTo(0.3, 12);
    expect(sweepDrop(small, large, 'preservation')).toBeCloseTo(0.3, 12);
    expect(sweepDrop(small, large, 'deletion')).toBeCloseTo(0.2, 12);
    expect(sweepDrop(large, small, 'dual')).toBeLessThan(0);
  });

  it('sweepNotes: one note per fall above the tolerance, saying both probabilities and why', () => {
    const areas = [
      { area: 0.1, probabilityKept: 0.9, probabilityDeleted: 0.2 },
      { area: 0.2, probabilityKept: 0.9 - SWEEP_TOLERANCE / 2, probabilityDeleted: 0.2 }, // within the tolerance
      { area: 0.3, probabilityKept: 0.6, probabilityDeleted: 0.2, restarted: true },
    ];
    const notes = sweepNotes(areas, 'dual');
    expect(notes.map((n) => [n.area, n.smallerArea])).toEqual([[0.3, 0.2]]);
    expect(notes[0].drop).toBeCloseTo(0.29, 6);
    expect(notes[0].why).toMatch(/^area 0\.3: it keeps 0\.600, area 0\.2: 0\.890; restarted from area 0\.2's mask/);
    expect(sweepNotes(areas.slice(0, 2), 'dual')).toEqual([]);
  });

  it('restarts a fallen area from the smaller area\'s mask, and keeps the restart only where it does better', async () => {
    // lr ≈ 0: the restart ends where it starts, on the smaller area's parameters
    const s = setting({ lr: 1e-7 });
    const rows = await sweep(s);
    const before = rows.map((r) => r.map((a) => a.measured.probabilityKept));
    rows[0][1].measured = { ...rows[0][1].measured, probabilityKept: -1 }; // image 0's larger area "ended" far below its smaller one
    rows[1][1].measured = { ...rows[1][1].measured, probabilityKept: 2 }; // image 1's did better than any restart can
    await repairSweep(s, rows, [1, 2]);
    expect(rows[0][1].restarted).toBe(true);
    expect(rows[0][1].history.length).toBe(6);
    const d = rows[0][1].measured.params.map((v, i) => Math.abs(v - rows[0][0].measured.params[i]));
    expect(Math.max(...d)).toBeLessThan(1e-5);
    expect(Math.abs(rows[0][1].measured.probabilityKept - before[0][0])).toBeLessThan(1e-4);
    expect(rows[1][1].restarted).toBe(false);
    expect(rows[1][1].measured.probabilityKept).toBe(2);
    for (const t of [s.pyramids, s.weights.image, s.weights.samples]) t.dispose();
  });

  it('explain: every fall above the tolerance that is left has a note in the result', async () => {
    const rs = await explainBatch(model, x, { iterations: 6, areas: [0.2, 0.4, 0.6] });
    for (const r of rs) {
      const falls = r.areas!.flatMap((a, j) => (j > 0 && sweepDrop(r.areas![j - 1], a, 'dual') > SWEEP_TOLERANCE ? [a.area] : []));
      expect(r.sweep!.map((n) => n.area)).toEqual(falls);
    }
  });
});
