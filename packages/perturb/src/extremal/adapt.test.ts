import { describe, expect, it } from 'vitest';
import { explainBatch } from '../explain.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import { keepsShare } from './adapt.js';

const model = tinyClassifier();
const x = seededTensor([2, 3, 8, 8], 5, 0, 1);
const quick = { iterations: 4, areas: [0.2, 0.4] } as const;

describe('areas that adapt to small objects', () => {
  it('keepsShare: kept ≥ share·p0 (preservation, dual); deleted ≤ (1 − share)·p0 (deletion)', () => {
    const r = { probabilityKept: 0.46, probabilityDeleted: 0.05 };
    expect(keepsShare(r, 0.5, 'dual', 0.9)).toBe(true);
    expect(keepsShare(r, 0.52, 'preservation', 0.9)).toBe(false);
    expect(keepsShare(r, 0.6, 'deletion', 0.9)).toBe(true);
    expect(keepsShare(r, 0.4, 'deletion', 0.9)).toBe(false);
  });

  it('halves the smallest area while it keeps the share, up to `halvings` times, and only then', async () => {
    // a share every area keeps: each halving adds an area
    const easy = await explainBatch(model, x, { ...quick, halvings: 2, keepShare: 1e-6 });
    for (const r of easy) {
      expect(r.areas!.map((a) => a.area)).toEqual([0.05, 0.1, 0.2, 0.4]);
      expect(r.chosenArea).toBe(0);
      expect(r.areas!.every((a) => a.history.length === 4)).toBe(true);
    }
    // all of p0: an image gets the half of area 0.2 exactly when area 0.2 keeps p ≥ p0
    const hard = await explainBatch(model, x, { ...quick, halvings: 2, keepShare: 1 });
    hard.forEach((r) => {
      const smallest = r.areas![r.areas!.length - 2];
      expect(r.areas!.length > 2).toBe(smallest.probabilityKept >= r.probabilityBefore);
    });
    const none = await explainBatch(model, x, { ...quick, halvings: 0, keepShare: 1e-6 });
    for (const r of none) expect(r.areas!.map((a) => a.area)).toEqual([0.2, 0.4]);
  });
});
