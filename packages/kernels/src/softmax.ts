/**
 * Softmax and log-softmax over the last axis of a contiguous [rows, C]
 * array, in the numerically stable form: exp(x − max) / Σ exp(x − max).
 * Three passes: row max, row sum of exp(x − max), then the elementwise map.
 */
import type { Backend, Data } from './backend.js';
import { int } from './codegen.js';
import { reduceKernel } from './reduce.js';

function rowSumExp(backend: Backend, x: Data, max: Data, rows: number, cols: number): Data {
  const source = `function(x, m) {
  const i = this.thread.x;
  const b = i * ${int(cols)};
  const mx = m[i];
  let s = 0.0;
  for (let k = 0; k < ${int(cols)}; k++) {
    s += Math.exp(x[b + k] - mx);
  }
  return s;
}`;
  return backend.run({ name: `sumExp [${rows}×${cols}]`, source, output: rows, args: { x: 'Array', m: 'Array' } }, [x, max]);
}

export function softmaxKernel(backend: Backend, x: Data, rows: number, cols: number, log = false): Data {
  const max = reduceKernel(backend, 'max', x, { outer: rows, reduce: cols, inner: 1 });
  const sum = rowSumExp(backend, x, max, rows, cols);
  const expr = log ? 'x[i] - m[row] - Math.log(s[row])' : 'Math.exp(x[i] - m[row]) / s[row]';
  const source = `function(x, m, s) {
  const i = this.thread.x;
  const row = Math.floor(i / ${int(cols)});
  return ${expr};
}`;
  const y = backend.run({ name: `${log ? 'logSoftmax' : 'softmax'} [${rows}×${cols}]`, source, output: rows * cols, args: { x: 'Array', m: 'Array', s: 'Array' } }, [x, max, sum]);
  backend.release(max);
  backend.release(sum);
  return y;
}

export function softmaxReference(x: Float32Array, rows: number, cols: number, log = false): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[r * cols + c] - m);
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c] - m;
      out[r * cols + c] = log ? v - Math.log(s) : Math.exp(v) / s;
    }
  }
  return out;
}
