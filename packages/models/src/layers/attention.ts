/**
 * Multi-head self-attention (Vaswani et al. 2017) as in ViT:
 * softmax(Q·Kᵀ/√d_head)·V per head, heads merged, then an output
 * projection. Q, K, V come from one fused Linear (timm's `qkv`) or three
 * (Hugging Face's q/k/v projections).
 */
import type { Tensor } from '@maskgrad/autograd';
import type { Backend } from '@maskgrad/kernels';
import { Linear } from './linear.js';
import { Module } from './module.js';

export type QkvLayout = 'fused' | 'separate';

export class Attention extends Module {
  readonly headDim: number;
  readonly qkv: Linear | null = null;
  readonly q: Linear | null = null;
  readonly k: Linear | null = null;
  readonly v: Linear | null = null;
  readonly proj: Linear;
  /** The last forward's attention probabilities [N, heads, T, T], when recording is on. */
  lastAttention: Tensor | null = null;
  recordAttention = false;

  constructor(readonly dim: number, readonly heads: number, qkvBias: boolean, readonly layout: QkvLayout, backend?: Backend) {
    super(backend);
    if (dim % heads !== 0) throw new Error(`attention: width ${dim} is not divisible by ${heads} heads`);
    this.headDim = dim / heads;
    if (layout === 'fused') {
      this.qkv = this.child('qkv', new Linear(dim, 3 * dim, qkvBias, this.backend));
    } else {
      this.q = this.child('q', new Linear(dim, dim, qkvBias, this.backend));
      this.k = this.child('k', new Linear(dim, dim, qkvBias, this.backend));
      this.v = this.child('v', new Linear(dim, dim, qkvBias, this.backend));
    }
    this.proj = this.child('proj', new Linear(dim, dim, true, this.backend));
  }

  forward(x: Tensor): Tensor {
    const [n, t] = x.shape;
    const h = this.heads;
    const d = this.headDim;
    let q: Tensor, k: Tensor, v: Tensor;
    if (this.qkv) {
      // [N, T, 3D] → [3, N, heads, T, d], unbound into three views: their gradients
      // come back as one concat (ops/unbind.ts), not three zero-padded ones summed
      [q, k, v] = this.qkv.forward(x).reshape([n, t, 3, h, d]).permute([2, 0, 3, 1, 4]).unbind(0);
    } else {
      const split = (y: Tensor) => y.reshape([n, t, h, d]).permute([0, 2, 1, 3]);
      [q, k, v] = [split(this.q!.forward(x)), split(this.k!.forward(x)), split(this.v!.forward(x))];
    }
    const attn = q.mul(1 / Math.sqrt(d)).matmul(k.transpose()).softmax(-1);
    if (this.recordAttention) this.lastAttention = attn.detach();
    const ctx = attn.matmul(v).permute([0, 2, 1, 3]).reshape([n, t, this.dim]);
    return this.proj.forward(ctx);
  }
}
