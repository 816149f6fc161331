/**
 * Batched matrix multiplication C[b] = op(A[b]) · op(B[b]), op = identity
 * or transpose, for contiguous row-major operands. A batch count of 1 on
 * either side broadcasts it over the batch.
 */
import type { Backend } from './backend.js';
import { int } from './codegen.js';

export interface MatmulShape {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** A is stored [K, M] per batch instead of [M, K]. */
  transA?: boolean;
  /** B is stored [N, K] per batch instead of [K, N]. */
  transB?: boolean;
  /** A has one matrix shared by every batch entry. */
  broadcastA?: boolean;
  broadcastB?: boolean;
}

function strides(s: MatmulShape) {
  const { m, k, n } = s;
  return {
    // element (row, kk) of op(A) is at aRow*row + aK*kk; element (kk, col) of op(B) at bK*kk + bCol*col
    aRow: s.transA ? 1 : k,
    aK: s.transA ? m : 1,
    bK: s.transB ? 1 : n,
    bCol: s.transB ? k : 1,
    aBatch: s.broadcastA ? 0 : m * k,
    bBatch: s.broadcastB ? 0 : k * n,
  };
}

export function matmulKernel(backend: Backend, a: Float32Array, b: Float32Array, s: MatmulShape): Float32Array {
  const { batch, m, k, n } = s;
  const st = strides(s);
  const mul = (v: string, c: number) => (c === 0 ? '0' : c === 1 ? v : `${v} * ${int(c)}`);
  const source = `function(a, b) {
  const i = this.thread.x;
  const bt = Math.floor(i / ${int(m * n)});
  const rem = i - bt * ${int(m * n)};
  const row = Math.floor(rem / ${int(n)});
  const col = rem - row * ${int(n)};
  const a0 = ${mul('bt', st.aBatch)} + ${mul('row', st.aRow)};
  const b0 = ${mul('bt', st.bBatch)} + ${mul('col', st.bCol)};
  let s = 0.0;
  for (let kk = 0; kk < ${int(k)}; kk++) {
    s += a[a0 + ${mul('kk', st.aK)}] * b[b0 + ${mul('kk', st.bK)}];
  }
  return s;
}`;
  return backend.run({ source, output: batch * m * n, args: { a: 'Array', b: 'Array' } }, [a, b]);
}

export function matmulReference(a: Float32Array, b: Float32Array, s: MatmulShape): Float32Array {
  const { batch, m, k, n } = s;
  const st = strides(s);
  const out = new Float32Array(batch * m * n);
  for (let bt = 0; bt < batch; bt++) {
    for (let row = 0; row < m; row++) {
      for (let col = 0; col < n; col++) {
        let acc = 0;
        for (let kk = 0; kk < k; kk++) {
          acc += a[bt * st.aBatch + row * st.aRow + kk * st.aK] * b[bt * st.bBatch + kk * st.bK + col * st.bCol];
        }
        out[(bt * m + row) * n + col] = acc;
      }
    }
  }
  return out;
}
