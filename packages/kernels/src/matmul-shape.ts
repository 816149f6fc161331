/**
 * The shape of a batched matrix product and where its operands' elements
 * live; shared by the matmul kernels.
 */
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

/** Where element (row, kk) of op(A) and (kk, col) of op(B) live: base + row·r + kk·k. */
export function strides(s: MatmulShape) {
  const { m, k, n } = s;
  return {
    aRow: s.transA ? 1 : k,
    aK: s.transA ? m : 1,
    bK: s.transB ? 1 : n,
    bCol: s.transB ? k : 1,
    aBatch: s.broadcastA ? 0 : m * k,
    bBatch: s.broadcastB ? 0 : k * n,
  };
}

/** "matmul 4×197×768×3072 (Aᵀ)": batch, M, K, N and the transposed operands, as kernels are named. */
export function describeMatmul(s: MatmulShape): string {
  const t = [s.transA ? 'Aᵀ' : '', s.transB ? 'Bᵀ' : ''].filter(Boolean).join(', ');
  return `${s.batch > 1 ? `${s.batch}×` : ''}${s.m}×${s.k}×${s.n}${t ? ` (${t})` : ''}`;
}

