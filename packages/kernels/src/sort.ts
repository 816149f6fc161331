/**
 * Sorting each row of [rows, n] in ascending order, as kernels:
 *
 *   argsort       a bitonic sorting network (Batcher 1968) over the row
 *                 padded to P = 2^⌈log2 n⌉: log2 P·(log2 P + 1)/2 passes,
 *                 each one kernel call in which every lane compares itself
 *                 with its partner i XOR j and keeps the smaller or the
 *                 larger; padding sorts last.
 *   takeAlongRows out[r, i] = x[r, index[r, i]] (torch.take_along_dim on the
 *                 last axis): the sorted values from the permutation, and the
 *                 gradient of sort from the ranks.
 *   sortRanks     where each element landed: a binary search for
 *                 (x[r, j], j) among the sorted (value, index) pairs, so the
 *                 inverse permutation costs n·log2 n, not the n² of a scatter
 *                 that loops over every index (scatterAddKernel).
 *
 * Order: by value, ties by index (a stable sort), so results are
 * deterministic on every backend. NaN is not supported.
 */
import type { Backend } from './backend.js';
import { int } from './codegen.js';

/** The padded row length of the sorting network: the next power of two ≥ n. */
export function bitonicLength(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** One pass (k, j) of the network over every row: perm holds indices into the row (≥ n = padding). */
function bitonicPassSource(n: number, p: number): string {
  return `function(x, perm, j, k) {
  const t = this.thread.x;
  const row = Math.floor(t / ${int(p)});
  const i = t - row * ${int(p)};
  const bj = Math.floor(i / j) - Math.floor(i / (2.0 * j)) * 2.0;
  const partner = bj > 0.5 ? i - j : i + j;
  const a = perm[t];
  const b = perm[row * ${int(p)} + partner];
  const ka = a < ${int(n)} ? x[row * ${int(n)} + a] : 3.4e38;
  const kb = b < ${int(n)} ? x[row * ${int(n)} + b] : 3.4e38;
  let aFirst = 0.0;
  if (ka < kb) { aFirst = 1.0; }
  if (ka == kb && a < b) { aFirst = 1.0; }
  const bk = Math.floor(i / k) - Math.floor(i / (2.0 * k)) * 2.0;
  const keepSmaller = (bj < 0.5 && bk < 0.5) || (bj > 0.5 && bk > 0.5);
  if (keepSmaller) { return aFirst > 0.5 ? a : b; }
  return aFirst > 0.5 ? b : a;
}`;
}

/** Indices that sort each row ascending (ties by index): [rows, n] as floats. */
export function argsortKernel(backend: Backend, x: Float32Array, rows: number, n: number): Float32Array {
  const p = bitonicLength(n);
  let perm: Float32Array = new Float32Array(rows * p);
  for (let r = 0; r < rows; r++) for (let i = 0; i < p; i++) perm[r * p + i] = i;
  const spec = { source: bitonicPassSource(n, p), output: rows * p, args: { x: 'Array', perm: 'Array', j: 'Float', k: 'Float' } } as const;
  for (let k = 2; k <= p; k *= 2) for (let j = k / 2; j >= 1; j /= 2) perm = backend.run(spec, [x, perm, j, k]);
  if (p === n) return perm;
  // the padding sorted last: keep the first n entries of each row
  const first = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) first[r * n + i] = i;
  return takeAlongRowsKernel(backend, perm, first, rows, p, n);
}

export function argsortReference(x: Float32Array, rows: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => x[r * n + a] - x[r * n + b] || a - b);
    out.set(order, r * n);
  }
  return out;
}

/** out[r, i] = x[r, index[r, i]] for x [rows, n] and index [rows, m]. */
export function takeAlongRowsKernel(backend: Backend, x: Float32Array, index: Float32Array, rows: number, n: number, m: number): Float32Array {
  const source = `function(x, idx) {
  const t = this.thread.x;
  const row = Math.floor(t / ${int(m)});
  return x[row * ${int(n)} + idx[t]];
}`;
  return backend.run({ source, output: rows * m, args: { x: 'Array', idx: 'Array' } }, [x, index]);
}

export function takeAlongRowsReference(x: Float32Array, index: Float32Array, rows: number, n: number, m: number): Float32Array {
  const out = new Float32Array(rows * m);
  for (let r = 0; r < rows; r++) for (let i = 0; i < m; i++) out[r * m + i] = x[r * n + index[r * m + i]];
  return out;
}

/**
 * rank[r, j]: the position of element j of row r in the sorted row, found by
 * binary search for (x[r, j], j) among (sorted[r, ·], perm[r, ·]).
 */
export function sortRanksKernel(backend: Backend, x: Float32Array, sorted: Float32Array, perm: Float32Array, rows: number, n: number): Float32Array {
  const steps = Math.ceil(Math.log2(n + 1));
  const source = `function(x, sorted, perm) {
  const t = this.thread.x;
  const row = Math.floor(t / ${int(n)});
  const j = t - row * ${int(n)};
  const v = x[t];
  const base = row * ${int(n)};
  let lo = 0.0;
  let hi = ${int(n)}.0;
  for (let s = 0; s < ${int(steps)}; s++) {
    if (lo < hi) {
      const mid = Math.floor((lo + hi) / 2.0);
      const sv = sorted[base + mid];
      let before = 0.0;
      if (sv < v) { before = 1.0; }
      if (sv == v && perm[base + mid] < j) { before = 1.0; }
      if (before > 0.5) { lo = mid + 1.0; } else { hi = mid; }
    }
  }
  return lo;
}`;
  return backend.run({ source, output: rows * n, args: { x: 'Array', sorted: 'Array', perm: 'Array' } }, [x, sorted, perm]);
}

/** The inverse permutation, plainly: rank[perm[i]] = i. */
export function sortRanksReference(perm: Float32Array, rows: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) out[r * n + perm[r * n + i]] = i;
  return out;
}
