/**
 * Layer normalization over the last axis of a contiguous [rows, C] array:
 * y = (x − mean) / sqrt(var + eps) · gamma + beta, with the biased variance
 * (as torch.nn.LayerNorm). Returns y and, for the backward pass, the
 * per-row mean and 1/sqrt(var + eps).
 */
import type { Backend, Data } from './backend.js';
import { int, lit } from './codegen.js';

export interface LayerNormResult<T = Data> {
  y: T;
  mean: T;
  rstd: T;
}

export function layerNormKernel(
  backend: Backend, x: Data, gamma: Data | null, beta: Data | null,
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
