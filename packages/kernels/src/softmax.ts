/**
 * Softmax and log-softmax over the last axis of a contiguous [rows, C]
 * array, in the numerically stable form: exp(x − max) / Σ exp(x − max).
 * Three passes: row max, row sum of exp(x − max) (its log, once per row, for
 * log-softmax), then the elementwise map. exp is transcendental.ts's (a
 * polynomial on webasm, where Math.exp would be a JavaScript call per lane).
 */
import type { Backend, TensorData } from './backend.js';
import { int } from './codegen.js';
import { reduceKernel } from './reduce.js';
import { expSource } from './transcendental.js';

function rowSumExp(backend: Backend, x: TensorData, max: TensorData, rows: number, cols: number, log: boolean): TensorData {
  const source = `function(x, m) {
  const i = this.thread.x;
  const b = i * ${int(cols)};
  const mx = m[i];
  let s = 0.0;
  for (let k = 0; k < ${int(cols)}; k++) {
    ${expSource(backend.name, 'x[b + k] - mx', 'e').replace(/\n {2}/g, '\n    ')}
    s += e;
  }
  return ${log ? 'Math.log(s)' : 's'};
}`;
  return backend.run({ name: `${log ? 'logSumExp' : 'sumExp'} [${rows}×${cols}]`, source, output: rows, args: { x: 'Array', m: 'Array' } }, [x, max]);
}

export function softmaxKernel(backend: Backend, x: TensorData, rows: number, cols: number, log = false): TensorData {
  const max = reduceKernel(backend, 'max', x, { outer: rows, reduce: cols, inner: 1 });
  const sum = rowSumExp(backend, x, max, rows, cols, log);
  const body = log ? 'return x[i] - m[row] - s[row];' : `${expSource(backend.name, 'x[i] - m[row]', 'e')}\n  return e / s[row];`;
  const source = `function(x, m, s) {
  const i = this.thread.x;
  const row = Math.floor(i / ${int(cols)});
  ${body}
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
