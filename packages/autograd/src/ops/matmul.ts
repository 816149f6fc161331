/**
 * Matrix product with batch broadcasting: [..., M, K] @ [..., K, N].
 * dA = dC · Bᵀ, dB = Aᵀ · dC (summed over broadcast batch axes), by the
 * same untracked product as the forward. Transposed views are passed to the
 * kernel as flags, not copied.
 */
import { broadcastShapes, matmulKernel, sizeOf, type TensorData, type MatmulShape } from '@maskgrad/kernels';
import { backendOf, record, Tensor } from '../tensor.js';
import { reshape } from './movement.js';
import * as U from './untracked.js';

/** The operand's data as a contiguous matrix batch, or its transpose, without copying when possible. */
function operand(x: Tensor, batchShape: number[]): { data: TensorData; trans: boolean; broadcast: boolean; temp: Tensor | null } {
  const r = x.rank;
  const batch = x.shape.slice(0, r - 2);
  const rows = x.shape[r - 2];
  const cols = x.shape[r - 1];
  const batchSize = sizeOf(batch);
  const broadcast = batchSize === 1 && sizeOf(batchShape) !== 1;
  // a transposed contiguous matrix: strides [.., 1, rows]
  const st = x.strides;
  const transView = x.offset === 0 && st[r - 2] === 1 && st[r - 1] === rows && (batchSize === 1 || st[r - 3] === rows * cols)
    && x.storage.length === x.size;
  if (transView && (broadcast || batch.every((d, i) => d === batchShape[batchShape.length - batch.length + i]))) {
    return { data: x.storage, trans: true, broadcast, temp: null };
  }
  const sameBatch = broadcast || (batch.length === batchShape.length && batch.every((d, i) => d === batchShape[i]));
  const c = sameBatch ? U.contiguous(x) : U.contiguous(U.expand(x, [...batchShape, rows, cols]));
  return { data: c.storage, trans: false, broadcast: sameBatch && broadcast, temp: c === x ? null : c };
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 1 || b.rank < 1) throw new Error('matmul() needs tensors of rank >= 1');
  // vectors: [K] is treated as [1, K] on the left and [K, 1] on the right, then squeezed
  if (a.rank === 1) return reshape(matmul(reshape(a, [1, a.shape[0]]), b), b.rank === 1 ? [] : [...b.shape.slice(0, -2), b.shape[b.rank - 1]]);
  if (b.rank === 1) return reshape(matmul(a, reshape(b, [b.shape[0], 1])), a.shape.slice(0, -1));
  return record(product(a, b), [a, b], 'matmul', (g, needs) => [
    needs[0] ? U.sumTo(product(g, U.swapLast(b)), a.shape) : null,
    needs[1] ? U.sumTo(product(U.swapLast(a), g), b.shape) : null,
  ]);
}

/** a @ b for rank ≥ 2, untracked: the forward's kernel, and the backward rule's two products. */
function product(a: Tensor, b: Tensor): Tensor {
  const backend = backendOf(a, b);
  const m = a.shape[a.rank - 2];
  const k = a.shape[a.rank - 1];
  const n = b.shape[b.rank - 1];
  if (b.shape[b.rank - 2] !== k) {
    throw new Error(`matmul(): inner dimensions differ: [${a.shape.join(', ')}] @ [${b.shape.join(', ')}] (${k} vs ${b.shape[b.rank - 2]})`);
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const oa = operand(a, batchShape);
  const ob = operand(b, batchShape);
  const spec: MatmulShape = {
    batch: sizeOf(batchShape), m, k, n, transA: oa.trans, transB: ob.trans, broadcastA: oa.broadcast, broadcastB: ob.broadcast,
  };
  const c = new Tensor(matmulKernel(backend, oa.data, ob.data, spec), [...batchShape, m, n]);
  oa.temp?.dispose();
  ob.temp?.dispose();
  return c;
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const matmulMethods = {
  matmul(this: Tensor, b: Tensor): Tensor { return matmul(this, b); },
};
