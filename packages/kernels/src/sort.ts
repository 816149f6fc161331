/**
 * Sorting each row of [rows, n] in ascending order, as kernels:
 *
 *   argsort       a merge sort over the row padded to P = 2^⌈log2 n⌉
 *                 (padding sorts last): log2 P passes, each merging sorted
 *                 runs of length L pairwise into runs of 2L in one kernel
 *                 call. Each lane finds the element at its own output
 *                 position by a binary search along the merge path (Green,
 *                 McColl & Bader, "GPU merge path", 2012), so no lane writes
 *                 anywhere but its own place. (A bitonic network needs
 *                 log2 P·(log2 P + 1)/2 passes: 91 instead of 13 at P = 8192,
 *                 and the calls, not the arithmetic, are what cost.)
 *   takeAlongRows out[r, i] = x[r, index[r, i]] (torch.take_along_dim on the
 *                 last axis): the sorted values from the permutation, and the
 *                 gradient of sort from the ranks.
 *   sortRanks     where each element landed: a binary search for
 *                 (x[r, j], j) among the sorted pairs (x[r, perm[r, i]], perm[r, i]), so the
 *                 inverse permutation costs n·log2 n, not the n² of a scatter
 *                 that loops over every index (scatterAddKernel).
 *
 * Order: by value, ties by index (a stable sort), so results are
 * deterministic on every backend. NaN is not supported.
 */
import type { Backend, TensorData } from './backend.js';
import { int, lit } from './codegen.js';

/** The padded row length of the merge sort: the next power of two ≥ n. */
export function sortLength(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * One merge pass over every row: perm holds, per row, sorted runs of length
 * L (indices into the row; ≥ n is padding, sorting last); lane q of a pair of
 * runs A, B takes i elements from A and q − i from B, i the merge-path split.
 */
function mergePassSource(n: number, p: number): string {
  const steps = Math.ceil(Math.log2(p + 1));
  // less(a, b): (value, index) order, padding = +∞
  const key = (v: string) => `(${v} < ${int(n)} ? x[row * ${int(n)} + ${v}] : ${lit(3.4e38)})`;
  return `function(x, perm, len) {
  const t = this.thread.x;
  const row = Math.floor(t / ${int(p)});
  const pos = t - row * ${int(p)};
  const start = Math.floor(pos / (2.0 * len)) * 2.0 * len;
  const q = pos - start;
  const a0 = row * ${int(p)} + start;
  const b0 = a0 + len;
  let lo = Math.max(0.0, q - len);
  let hi = Math.min(q, len);
  for (let s = 0; s < ${int(steps)}; s++) {
    if (lo < hi) {
      const mid = Math.floor((lo + hi) / 2.0);
      const ia = perm[a0 + mid];
      const ib = perm[b0 + q - 1.0 - mid];
      const ka = ${key('ia')};
      const kb = ${key('ib')};
      let aFirst = 0.0;
      if (ka < kb) { aFirst = 1.0; }
      if (ka == kb && ia < ib) { aFirst = 1.0; }
      if (aFirst > 0.5) { lo = mid + 1.0; } else { hi = mid; }
    }
  }
  if (lo >= len) { return perm[b0 + q - len]; }
  if (q - lo >= len) { return perm[a0 + lo]; }
  const ia = perm[a0 + lo];
  const ib = perm[b0 + q - lo];
  const ka = ${key('ia')};
  const kb = ${key('ib')};
  if (ka < kb) { return ia; }
  if (ka == kb && ia < ib) { return ia; }
  return ib;
}`;
}

/** Indices that sort each row ascending (ties by index): [rows, n] as floats. log2 P + 1 kernels (P = sortLength(n)). */
export function argsortKernel(backend: Backend, x: TensorData, rows: number, n: number): TensorData {
  const p = sortLength(n);
  const start = new Float32Array(rows * p);
  for (let r = 0; r < rows; r++) for (let i = 0; i < p; i++) start[r * p + i] = i;
  let perm = backend.upload(start);
  const spec = { name: `argsort merge pass [${rows}×${n}]`, source: mergePassSource(n, p), output: rows * p, args: { x: 'Array', perm: 'Array', len: 'Float' } } as const;
  for (let len = 1; len < p; len *= 2) {
    const next = backend.run(spec, [x, perm, len]);
    backend.release(perm);
    perm = next;
  }
  if (p === n) return perm;
  // the padding sorted last: keep the first n entries of each row
  const first = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) first[r * n + i] = i;
  const out = takeAlongRowsKernel(backend, perm, first, rows, p, n);
  backend.release(perm);
  return out;
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
export function takeAlongRowsKernel(backend: Backend, x: TensorData, index: TensorData | Float32Array, rows: number, n: number, m: number): TensorData {
  const source = `function(x, idx) {
  const t = this.thread.x;
  const row = Math.floor(t / ${int(m)});
  return x[row * ${int(n)} + idx[t]];
}`;
  return backend.run({ name: `take along rows [${rows}×${n}] → [${rows}×${m}]`, source, output: rows * m, args: { x: 'Array', idx: 'Array' } }, [x, index]);
}

export function takeAlongRowsReference(x: Float32Array, index: Float32Array, rows: number, n: number, m: number): Float32Array {
  const out = new Float32Array(rows * m);
  for (let r = 0; r < rows; r++) for (let i = 0; i < m; i++) out[r * m + i] = x[r * n + index[r * m + i]];
  return out;
}

/**
 * rank[r, j]: the position of element j of row r in the sorted row, found by
 * binary search for (x[r, j], j) among the sorted pairs (x[r, perm[r, i]], perm[r, i]).
 */
export function sortRanksKernel(backend: Backend, x: TensorData, perm: TensorData, rows: number, n: number): TensorData {
  const steps = Math.ceil(Math.log2(n + 1));
  const source = `function(x, perm) {
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
      const sv = x[base + perm[base + mid]];
      let before = 0.0;
      if (sv < v) { before = 1.0; }
      if (sv == v && perm[base + mid] < j) { before = 1.0; }
      if (before > 0.5) { lo = mid + 1.0; } else { hi = mid; }
    }
  }
  return lo;
}`;
  return backend.run({ name: `sort ranks [${rows}×${n}]`, source, output: rows * n, args: { x: 'Array', perm: 'Array' } }, [x, perm]);
}

/** The inverse permutation, plainly: rank[perm[i]] = i. */
export function sortRanksReference(perm: Float32Array, rows: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) out[r * n + perm[r * n + i]] = i;
  return out;
}
