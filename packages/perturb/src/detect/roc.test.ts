import { describe, expect, it } from 'vitest';
import { rocAuc, rocCurve, thresholdAtFalsePositiveRate, youdenThreshold } from './roc.js';

/** AUC by counting every (positive, negative) pair, ties one half: the definition. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let s = 0, pairs = 0;
  scores.forEach((p, i) => scores.forEach((q, j) => {
    if (labels[i] === 1 && labels[j] === 0) {
      s += p > q ? 1 : p === q ? 0.5 : 0;
      pairs++;
    }
  }));
  return s / pairs;
}

describe('rocAuc (Mann–Whitney, midranks for ties)', () => {
  it('is 1 for perfect separation, 0 reversed, 0.5 when everything ties', () => {
    expect(rocAuc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.1, 0.3, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0, 0])).toBe(0.5);
  });

  it('counts a tie as one half: a hand-computed case', () => {
    // positives 0.8, 0.5, 0.5; negatives 0.5, 0.3. Pairs: 0.8 beats both (2), each 0.5
    // ties 0.5 (½ + ½) and beats 0.3 (2): 5 of 6. Midranks: 0.3→1, 0.5→(2+3+4)/3 = 3, 0.8→5;
    // R₊ = 3 + 3 + 5 = 11, (11 − 3·4/2) / (3·2) = 5/6.
    expect(rocAuc([0.8, 0.5, 0.5, 0.5, 0.3], [1, 1, 1, 0, 0])).toBeCloseTo(5 / 6, 12);
    expect(rocAuc([0.8, 0.5, 0.5, 0.5, 0.3], [true, true, true, false, false])).toBeCloseTo(5 / 6, 12);
  });

  it('equals the pairwise count on scores with many ties, whatever their order', () => {
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const scores = Array.from({ length: 60 }, () => Math.floor(rnd() * 6) / 5);
    const labels = scores.map((v) => (rnd() < 0.3 + 0.4 * v ? 1 : 0));
    expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
  });

  it('equals the trapezoid area under rocCurve', () => {
    const scores = [0.9, 0.7, 0.7, 0.4, 0.4, 0.4, 0.2, 0.1];
    const labels = [1, 1, 0, 1, 0, 0, 1, 0];
    const c = rocCurve(scores, labels);
    let area = 0;
    for (let i = 1; i < c.length; i++) area += ((c[i].falsePositiveRate - c[i - 1].falsePositiveRate) * (c[i].truePositiveRate + c[i - 1].truePositiveRate)) / 2;
    expect(rocAuc(scores, labels)).toBeCloseTo(area, 12);
    expect(c.at(-1)).toMatchObject({ truePositiveRate: 1, falsePositiveRate: 1 });
  });

  it('rejects inputs it cannot score', () => {
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(/positives and negatives/);
    expect(() => rocAuc([0.1], [1, 0])).toThrow(/1 scores but 2 labels/);
    expect(() => rocAuc([0.1, NaN], [1, 0])).toThrow(/NaN/);
    expect(() => rocAuc([0.1, 0.2], [1, 2])).toThrow(/label 1 is 2/);
  });
});

describe('youdenThreshold', () => {
  it('maximizes TPR − FPR, and takes the highest threshold among equals', () => {
    // thresholds 0.8: (TPR ½, FPR 0) J ½; 0.4: (½, ½) 0; 0.35: (1, ½) ½; 0.1: (1, 1) 0
    expect(youdenThreshold([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toEqual({ threshold: 0.8, truePositiveRate: 0.5, falsePositiveRate: 0 });
    expect(youdenThreshold([0.1, 0.2, 0.6, 0.9], [0, 0, 1, 1]).threshold).toBe(0.6);
  });

  it('thresholdAtFalsePositiveRate flags at most the stated share of clean scores, ties kept together', () => {
    const clean = Array.from({ length: 100 }, (_, i) => i / 100); // 0.00 … 0.99
    const t = thresholdAtFalsePositiveRate(clean, 0.05);
    expect(t.threshold).toBeCloseTo(0.945, 12); // between the 6th (0.94) and 5th (0.95) highest
    expect(t.falsePositiveRate).toBe(0.05);
    expect(thresholdAtFalsePositiveRate(clean, 0).threshold).toBeGreaterThan(0.99);
    const tied = [0.9, 0.9, 0.9, 0.1, 0.2];
    const u = thresholdAtFalsePositiveRate(tied, 0.4); // 2 allowed, but 3 tie at 0.9: none may pass
    expect(u.falsePositiveRate).toBe(0);
    expect(u.threshold).toBeGreaterThan(0.9);
    expect(() => thresholdAtFalsePositiveRate(clean, 1)).toThrow(/rate must be in \[0, 1\)/);
    expect(() => thresholdAtFalsePositiveRate([], 0.05)).toThrow(/at least one/);
  });
});
