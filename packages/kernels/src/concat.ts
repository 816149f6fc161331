/**
 * Concatenation of contiguous arrays along one axis, and the inverse
 * index selection (gather) along one axis.
 */
import type { Backend, TensorData } from './backend.js';
import { int } from './codegen.js';

/** Inputs per concat kernel: WebGPU binds at most 7 arrays besides the output; more are joined in rounds. */
const MAX_INPUTS = 7;

/** Inputs seen as [outer, sizes[k], inner]; output [outer, Σ sizes, inner]. */
export function concatKernel(backend: Backend, xs: readonly TensorData[], sizes: readonly number[], outer: number, inner: number): TensorData {
  if (xs.length > MAX_INPUTS) {
    const head = concatKernel(backend, xs.slice(0, MAX_INPUTS), sizes.slice(0, MAX_INPUTS), outer, inner);
    const headSize = sizes.slice(0, MAX_INPUTS).reduce((a, b) => a + b, 0);
    const out = concatKernel(backend, [head, ...xs.slice(MAX_INPUTS)], [headSize, ...sizes.slice(MAX_INPUTS)], outer, inner);
    backend.release(head);
    return out;
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const params = xs.map((_, k) => `x${k}`);
  let start = 0;
  const branches = sizes.map((sz, k) => {
    const cond = k === sizes.length - 1 ? '' : `if (j < ${int(start + sz)}) `;
    const read = `x${k}[(o * ${int(sz)} + j - ${int(start)}) * ${int(inner)} + r]`;
    start += sz;
    return `${cond}{ return ${read}; }`;
  });
  const source = `function(${params.join(', ')}) {
  const i = this.thread.x;
  const o = Math.floor(i / ${int(total * inner)});
  const rem = i - o * ${int(total * inner)};
  const j = Math.floor(rem / ${int(inner)});
  const r = rem - j * ${int(inner)};
  ${branches.join('\n  ')}
}`;
  const args = Object.fromEntries(params.map((p) => [p, 'Array' as const]));
  return backend.run({ name: `concat ${sizes.length} × [${outer}×…×${inner}] → [${outer}×${total}×${inner}]`, source, output: outer * total * inner, args }, xs);
}

export function concatReference(xs: readonly Float32Array[], sizes: readonly number[], outer: number, inner: number): Float32Array {
  const total = sizes.reduce((a, b) => a + b, 0);
  const out = new Float32Array(outer * total * inner);
  for (let o = 0; o < outer; o++) {
    let j0 = 0;
    xs.forEach((x, k) => {
      for (let j = 0; j < sizes[k]; j++) for (let r = 0; r < inner; r++) {
        out[(o * total + j0 + j) * inner + r] = x[(o * sizes[k] + j) * inner + r];
      }
      j0 += sizes[k];
    });
  }
  return out;
}

/** x seen as [outer, n, inner]; out[o, t, r] = x[o, index[t], r]. Indices outside [0, n) read 0. */
export function gatherKernel(backend: Backend, x: TensorData, index: Float32Array, outer: number, n: number, inner: number): TensorData {
  const t = index.length;
  const source = `function(x, idx) {
  const i = this.thread.x;
  const o = Math.floor(i / ${int(t * inner)});
  const rem = i - o * ${int(t * inner)};
  const j = Math.floor(rem / ${int(inner)});
  const r = rem - j * ${int(inner)};
  const k = idx[j];
  if (k < 0 || k >= ${int(n)}) { return 0.0; }
  return x[(o * ${int(n)} + k) * ${int(inner)} + r];
}`;
  return backend.run({ name: `gather [${outer}×${n}×${inner}] → ${t}`, source, output: outer * t * inner, args: { x: 'Array', idx: 'Array' } }, [x, index]);
}

export function gatherReference(x: Float32Array, index: Float32Array, outer: number, n: number, inner: number): Float32Array {
  const t = index.length;
  const out = new Float32Array(outer * t * inner);
  for (let o = 0; o < outer; o++) for (let j = 0; j < t; j++) for (let r = 0; r < inner; r++) {
    const k = index[j];
    out[(o * t + j) * inner + r] = k >= 0 && k < n ? x[(o * n + k) * inner + r] : 0;
  }
  return out;
}

/** The gradient of gather: out[o, k, r] = Σ_{t: index[t] = k} dy[o, t, r]. */
export function scatterAddKernel(backend: Backend, dy: TensorData, index: Float32Array, outer: number, n: number, inner: number): TensorData {
  const t = index.length;
  const source = `function(dy, idx) {
  const i = this.thread.x;
  const o = Math.floor(i / ${int(n * inner)});
  const rem = i - o * ${int(n * inner)};
  const k = Math.floor(rem / ${int(inner)});
  const r = rem - k * ${int(inner)};
  let acc = 0.0;
  for (let j = 0; j < ${int(t)}; j++) {
    if (idx[j] == k) { acc += dy[(o * ${int(t)} + j) * ${int(inner)} + r]; }
  }
  return acc;
}`;
  return backend.run({ name: `scatterAdd ${t} → [${outer}×${n}×${inner}]`, source, output: outer * n * inner, args: { dy: 'Array', idx: 'Array' } }, [dy, index]);
}
