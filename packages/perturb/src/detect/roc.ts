/**
 * ROC AUC and thresholds for a detector's scores (higher = more likely
 * positive, i.e. adversarial). Pure functions, browser-safe.
 *
 * AUC is the Mann–Whitney statistic: the probability that a random positive
 * scores above a random negative, ties counting one half:
 *   AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊·n₋)
 * with R₊ the sum of the positives' ranks among all scores, tied scores
 * sharing the mean of their ranks (midranks). This equals the trapezoid
 * area under the ROC curve when tied scores move the curve diagonally.
 */

function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): { pos: number; neg: number } {
  if (scores.length !== labels.length) throw new Error(`rocAuc(): ${scores.length} scores but ${labels.length} labels`);
  let pos = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`rocAuc(): score ${i} is NaN`);
    const l = Number(labels[i]);
    if (l !== 0 && l !== 1) throw new Error(`rocAuc(): label ${i} is ${String(labels[i])}; use 1 (positive) or 0 (negative)`);
    pos += l;
  }
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) throw new Error(`rocAuc(): needs positives and negatives, got ${pos} and ${neg}`);
  return { pos, neg };
}

/** Indices of `scores` in increasing order (stable). */
function ascending(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
}

/** Area under the ROC curve; labels 1 = positive, 0 = negative. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const { pos, neg } = checkInputs(scores, labels);
  const order = ascending(scores);
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
    const midrank = (start + 1 + end) / 2; // ranks start..end-1 are 1-based start+1..end
    for (let k = start; k < end; k++) if (Number(labels[order[k]]) === 1) rankSum += midrank;
    start = end;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface RocPoint {
  /** Scores ≥ threshold are called positive. */
  threshold: number;
  truePositiveRate: number;
  falsePositiveRate: number;
}

/** The ROC curve, one point per distinct score (from the highest), starting at (0, 0) with threshold +∞. */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocPoint[] {
  const { pos, neg } = checkInputs(scores, labels);
  const order = ascending(scores).reverse();
  const points: RocPoint[] = [{ threshold: Infinity, truePositiveRate: 0, falsePositiveRate: 0 }];
  let tp = 0, fp = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end < order.length && scores[order[end]] === scores[order[start]]) {
      if (Number(labels[order[end]]) === 1) tp++;
      else fp++;
      end++;
    }
    points.push({ threshold: scores[order[start]], truePositiveRate: tp / pos, falsePositiveRate: fp / neg });
    start = end;
  }
  return points;
}

/**
 * The threshold that maximizes Youden's J = TPR − FPR (balanced accuracy);
 * ties: the highest such threshold (fewest false alarms).
 */
export function youdenThreshold(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocPoint {
  const curve = rocCurve(scores, labels);
  let best = curve[0];
  for (const p of curve) {
    if (p.truePositiveRate - p.falsePositiveRate > best.truePositiveRate - best.falsePositiveRate) best = p;
  }
  return best;
}

/**
 * The lowest threshold that flags at most `rate` of the negatives (clean
 * scores): with k = ⌊rate·n⌋ false alarms allowed, it lies halfway between the
 * (k+1)-th highest clean score and the next higher distinct one, so tied
 * scores fall on the same side. Calibrating on clean images alone is what a
 * deployed detector can promise: the false-alarm rate, whatever the attack.
 * When no clean score is above that one, the threshold is it nudged up (capped
 * at 1: a score of exactly 1 is then still flagged, and the measured rate says so).
 */
export function thresholdAtFalsePositiveRate(cleanScores: ArrayLike<number>, rate: number): { threshold: number; falsePositiveRate: number } {
  if (!(rate >= 0 && rate < 1)) throw new Error(`thresholdAtFalsePositiveRate(): rate must be in [0, 1), got ${rate}`);
  const n = cleanScores.length;
  if (n === 0) throw new Error('thresholdAtFalsePositiveRate(): needs at least one clean score');
  const sorted = Array.from(cleanScores).sort((a, b) => b - a);
  if (sorted.some((s) => Number.isNaN(s))) throw new Error('thresholdAtFalsePositiveRate(): a score is NaN');
  const k = Math.floor(rate * n + 1e-9);
  const floor = sorted[k]; // the highest score that must not be flagged (k < n as rate < 1)
  const above = sorted.filter((s) => s > floor);
  const next = above.length > 0 ? above[above.length - 1] : null;
  const threshold = next === null ? Math.min(1, floor + Math.max(1e-12, floor * 1e-12)) : (floor + next) / 2;
  const flagged = sorted.filter((s) => s >= threshold).length;
  return { threshold, falsePositiveRate: flagged / n };
}
