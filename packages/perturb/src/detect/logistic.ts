/**
 * Logistic regression on maskgrad's own autograd: the model, its loss and
 * the fit are tensor ops, and Adam takes the steps.
 *
 *   z = X·w + b                           X: n×d standardized features
 *   p = σ(z)                              the probability of class 1
 *   L = mean_i [softplus(z_i) − y_i·z_i] + (λ/2)·‖w‖²
 *
 * softplus(z) − y·z is the binary cross-entropy −y ln p − (1−y) ln(1−p)
 * written on the logits; softplus(z) = relu(z) + ln(1 + e^(−|z|)) never
 * overflows. The L2 term (weight decay λ, not on the bias) has gradient λw.
 */
import { Adam, tensor, tidy, zeros, type Tensor } from '@maskgrad/autograd';

/** z = X·w + b → [n], for X [n, d], w [d, 1], b [1]. */
export function logisticLogits(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return x.matmul(w).reshape([x.shape[0]]).add(b);
}

/** The regularized loss L above, a scalar tensor; y [n] holds 0s and 1s. */
export function logisticLoss(x: Tensor, y: Tensor, w: Tensor, b: Tensor, l2: number): Tensor {
  const z = logisticLogits(x, w, b);
  const softplus = z.relu().add(z.abs().neg().exp().add(1).log());
  const bce = softplus.sub(y.mul(z)).mean();
  return l2 > 0 ? bce.add(w.mul(w).sum().mul(l2 / 2)) : bce;
}

export interface Standardizer {
  means: number[];
  /** Population standard deviations; 1 for a constant feature. */
  stds: number[];
}

/** Per-column mean and standard deviation of rows [n][d]. */
export function fitStandardizer(rows: readonly (readonly number[])[]): Standardizer {
  if (rows.length === 0) throw new Error('fitStandardizer(): no rows');
  const d = rows[0].length;
  const means = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const stds = means.map((m, j) => {
    const sd = Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / rows.length);
    return sd > 1e-12 ? sd : 1;
  });
  return { means, stds };
}

/** (x − mean) / std per column. */
export function standardize(rows: readonly (readonly number[])[], s: Standardizer): number[][] {
  return rows.map((r) => {
    if (r.length !== s.means.length) throw new Error(`standardize(): a row has ${r.length} features, expected ${s.means.length}`);
    return r.map((v, j) => (v - s.means[j]) / s.stds[j]);
  });
}

function matrix(rows: readonly (readonly number[])[]): Tensor {
  const d = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * d);
  rows.forEach((r, i) => data.set(r, i * d));
  return tensor(data, [rows.length, d]);
}

export interface LogisticOptions {
  /** Weight decay λ on w (default 0.01). */
  l2?: number;
  /** Adam learning rate (default 0.05). */
  lr?: number;
  /** Full-batch Adam steps (default 500). */
  steps?: number;
}

export interface LogisticFit {
  weights: number[];
  bias: number;
  /** L before each step. */
  losses: number[];
}

/** Fit w and b by full-batch Adam from zero, on rows [n][d] (standardize them first) and labels 0/1. */
export async function fitLogistic(rows: readonly (readonly number[])[], labels: readonly number[], options: LogisticOptions = {}): Promise<LogisticFit> {
  const { l2 = 0.01, lr = 0.05, steps = 500 } = options;
  if (rows.length === 0 || rows.length !== labels.length) throw new Error(`fitLogistic(): ${rows.length} rows and ${labels.length} labels`);
  if (labels.some((l) => l !== 0 && l !== 1)) throw new Error('fitLogistic(): labels must be 0 or 1');
  const x = matrix(rows);
  const y = tensor(Float32Array.from(labels), [labels.length]);
  const w = zeros([x.shape[1], 1], { requiresGrad: true, name: 'w' });
  const b = zeros([1], { requiresGrad: true, name: 'b' });
  const opt = new Adam([w, b], { lr });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = tidy(() => {
      const l = logisticLoss(x, y, w, b, l2);
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
  }
  const [wv, bv] = await Promise.all([w.data(), b.data()]);
  return { weights: Array.from(wv), bias: bv[0], losses };
}

/**
 * σ(X·w + b) for rows [n][d] (already standardized), on the host: a fitted
 * detector scores a few dozen numbers per image, which are on the host
 * already (the fit above is where the tensors and the gradient are needed).
 */
export function logisticProbabilities(rows: readonly (readonly number[])[], weights: readonly number[], bias: number): number[] {
  return rows.map((r) => {
    if (r.length !== weights.length) throw new Error(`logisticProbabilities(): a row of ${r.length} features for ${weights.length} weights`);
    const z = r.reduce((acc, v, j) => acc + v * weights[j], bias);
    return 1 / (1 + Math.exp(-z));
  });
}
