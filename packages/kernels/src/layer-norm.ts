/**
 * Layer normalization over the last axis of a contiguous [rows, C] array:
 * y = (x − mean) / sqrt(var + eps) · gamma + beta, with the biased variance
 * (as torch.nn.LayerNorm). Returns y and, for the backward pass, the
 * per-row mean and 1/sqrt(var + eps).
 */
import type { Backend, TensorData } from './backend.js';
import { int, lit } from './codegen.js';

export interface LayerNormResult<T = TensorData> {
  y: T;
  mean: T;
  rstd: T;
}

export function layerNormKernel(
  backend: Backend, x: TensorData, gamma: TensorData | null, beta: TensorData | null,
  rows: number, cols: number, eps: number,
): LayerNormResult {
  const size = `[${rows}×${cols}]`;
  const mean = backend.run({
    name: `layerNorm mean ${size}`,
    source: `function(x) {
  const b = this.thread.x * ${int(cols)};
  let s = 0.0;
  for (let k = 0; k < ${int(cols)}; k++) { s += x[b + k]; }
  return s / ${lit(cols)};
}`, output: rows, args: { x: 'Array' },
  }, [x]);
  const rstd = backend.run({
    name: `layerNorm rstd ${size}`,
    source: `function(x, m) {
  const b = this.thread.x * ${int(cols)};
  const mu = m[this.thread.x];
  let s = 0.0;
  for (let k = 0; k < ${int(cols)}; k++) { const d = x[b + k] - mu; s += d * d; }
  return 1.0 / Math.sqrt(s / ${lit(cols)} + ${lit(eps)});
}`, output: rows, args: { x: 'Array', m: 'Array' },
  }, [x, mean]);
  const g = gamma ? 'g[c]' : '1.0';
  const bt = beta ? ' + bt[c]' : '';
  const y = backend.run({
    name: `layerNorm ${size}`,
    source: `function(x, m, r, g, bt) {
  const i = this.thread.x;
  const row = Math.floor(i / ${int(cols)});
  const c = i - row * ${int(cols)};
  return (x[i] - m[row]) * r[row] * ${g}${bt};
}`, output: rows * cols, args: { x: 'Array', m: 'Array', r: 'Array', g: 'Array', bt: 'Array' },
  }, [x, mean, rstd, gamma ?? ONE, beta ?? ONE]);
  return { y, mean, rstd };
}

const ONE = new Float32Array(1);

export function layerNormReference(
  x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, rows: number, cols: number, eps: number,
): LayerNormResult<Float32Array> {
  const y = new Float32Array(rows * cols);
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let c = 0; c < cols; c++) m += x[r * cols + c];
    m /= cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (x[r * cols + c] - m) ** 2;
    const rs = 1 / Math.sqrt(v / cols + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (let c = 0; c < cols; c++) {
      y[r * cols + c] = (x[r * cols + c] - m) * rs * (gamma ? gamma[c] : 1) + (beta ? beta[c] : 0);
    }
  }
  return { y, mean, rstd };
}

export interface LayerNormGrads<T = TensorData> {
  dx: T;
  /** [dγ | dβ]: Σ over rows of g·x̂, then of g, [cols] each (null when not asked for: frozen weights). */
  paramGrads: T | null;
}

/**
 * The backward pass in three kernels (the autograd composition runs about
 * fourteen): per row Σĝ and Σĝ·x̂ (ĝ = g·γ, x̂ = (x − μ)·r), then
 *   dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂)),
 * and per column dγ = Σ g·x̂, dβ = Σ g (the third kernel, skipped unless
 * `paramGrads`: a frozen model's layer norms need no weight gradient).
 */
export function layerNormBackwardKernel(
  backend: Backend, x: TensorData, g: TensorData, stats: { mean: TensorData; rstd: TensorData },
  gamma: TensorData | null, rows: number, cols: number, paramGrads = true,
): LayerNormGrads {
  const size = `[${rows}×${cols}]`;
  const gam = gamma ? 'gm[c]' : '1.0';
  const args = { x: 'Array', g: 'Array', mu: 'Array', r: 'Array', gm: 'Array' } as const;
  const inputs = [x, g, stats.mean, stats.rstd, gamma ?? ONE];
  // cells 0..rows-1: Σ ĝ; rows..2·rows-1: Σ ĝ·x̂
  const rowSums = backend.run({
    name: `layerNormBackward row sums ${size}`,
    source: `function(x, g, mu, r, gm) {
  const which = Math.floor(this.thread.x / ${int(rows)});
  const row = this.thread.x - which * ${int(rows)};
  const b = row * ${int(cols)};
  let s = 0.0;
  for (let c = 0; c < ${int(cols)}; c++) {
    const gh = g[b + c] * ${gam};
    s += which < 1 ? gh : gh * (x[b + c] - mu[row]) * r[row];
  }
  return s;
}`, output: 2 * rows, args,
  }, inputs);
  const dx = backend.run({
    name: `layerNormBackward ${size}`,
    source: `function(x, g, mu, r, gm, s) {
  const i = this.thread.x;
  const row = Math.floor(i / ${int(cols)});
  const c = i - row * ${int(cols)};
  const xh = (x[i] - mu[row]) * r[row];
  return r[row] * (g[i] * ${gam} - s[row] / ${lit(cols)} - xh * s[${int(rows)} + row] / ${lit(cols)});
}`, output: rows * cols, args: { ...args, s: 'Array' },
  }, [...inputs, rowSums]);
  backend.release(rowSums);
  if (!paramGrads) return { dx, paramGrads: null };
  // cells 0..cols-1: dγ; cols..2·cols-1: dβ
  const sums = backend.run({
    name: `layerNormBackward column sums ${size}`,
    source: `function(x, g, mu, r, gm) {
  const which = Math.floor(this.thread.x / ${int(cols)});
  const c = this.thread.x - which * ${int(cols)};
  let s = 0.0;
  for (let row = 0; row < ${int(rows)}; row++) {
    const i = row * ${int(cols)} + c;
    s += which < 1 ? g[i] * (x[i] - mu[row]) * r[row] : g[i];
  }
  return s;
}`, output: 2 * cols, args,
  }, inputs);
  return { dx, paramGrads: sums };
}

/** The composition autograd's layerNorm backward runs, in float64 loops. */
export function layerNormBackwardReference(
  x: Float32Array, g: Float32Array, stats: { mean: Float32Array; rstd: Float32Array },
  gamma: Float32Array | null, rows: number, cols: number,
): LayerNormGrads<Float32Array> {
  const dx = new Float32Array(rows * cols);
  const paramGrads = new Float32Array(2 * cols);
  const dgamma = paramGrads.subarray(0, cols);
  const dbeta = paramGrads.subarray(cols);
  for (let row = 0; row < rows; row++) {
    const r = stats.rstd[row];
    const xh = Array.from({ length: cols }, (_, c) => (x[row * cols + c] - stats.mean[row]) * r);
    const gh = Array.from({ length: cols }, (_, c) => g[row * cols + c] * (gamma ? gamma[c] : 1));
    const meanG = gh.reduce((a, b) => a + b, 0) / cols;
    const meanGX = gh.reduce((a, b, c) => a + b * xh[c], 0) / cols;
    for (let c = 0; c < cols; c++) {
      dx[row * cols + c] = r * (gh[c] - meanG - xh[c] * meanGX);
      dgamma[c] += g[row * cols + c] * xh[c];
      dbeta[c] += g[row * cols + c];
    }
  }
  return { dx, paramGrads };
}
