/**
 * Attention rollout (Abnar & Zuidema, ACL 2020): how much each input patch
 * flows into the class token through the attention layers.
 *   Â_l = normalize_rows(mean_heads(A_l) + I)        (the residual path)
 *   R   = Â_L · Â_{L−1} ⋯ Â_1
 * The class token's row of R over the patch tokens, reshaped to the patch
 * grid and upsampled bilinearly (align_corners=false) to H×W, is the map.
 * For a model that averages the patch tokens instead of reading a class
 * token (timm global_pool "avg"), the row is the mean of the patch tokens'
 * rows. Class-agnostic: `targets` only fixes the number of images.
 */
import { noGrad, resizeBilinear, tensor, type Tensor } from '@maskgrad/autograd';
import type { Classifier } from '../objective.js';
import { checkBatch } from './saliency.js';

/** What rollout needs of a model: its blocks' attention recorders (ImageClassifier has them). */
export interface AttentionClassifier extends Classifier {
  readonly vit: {
    readonly blocks: readonly { readonly attn: { recordAttention: boolean; lastAttention: Tensor | null } }[];
    readonly clsToken: Tensor | null;
    readonly numPatches: number;
  };
}

export function hasAttention(model: Classifier): model is AttentionClassifier {
  const vit = (model as Partial<AttentionClassifier>).vit;
  return !!vit && Array.isArray(vit.blocks) && vit.blocks.every((b) => b?.attn && 'recordAttention' in b.attn);
}

/** Record every block's attention during one forward pass: [N, heads, T, T] per block. */
function recordAttention(model: AttentionClassifier, x: Tensor): Tensor[] {
  const attns = model.vit.blocks.map((b) => b.attn);
  const before = attns.map((a) => a.recordAttention);
  attns.forEach((a) => (a.recordAttention = true));
  try {
    noGrad(() => model.forward(model.normalize(x)));
    return attns.map((a, i) => {
      if (!a.lastAttention) throw new Error(`attention rollout: block ${i} recorded no attention`);
      return a.lastAttention;
    });
  } finally {
    attns.forEach((a, i) => {
      a.recordAttention = before[i];
      a.lastAttention = null;
    });
  }
}

export async function attentionRollout(model: Classifier, x: Tensor, targets: readonly number[]): Promise<Float32Array[]> {
  const [n, , h, w] = checkBatch(x, targets);
  if (!hasAttention(model)) throw new Error('attention rollout needs a ViT classifier whose blocks record attention (model.vit.blocks[i].attn)');
  const layers = recordAttention(model, x);
  const t = layers[0].shape[2];
  const patches = model.vit.numPatches;
  const grid = Math.round(Math.sqrt(patches));
  const first = t - patches; // 1 with a class token, 0 without
  const identity = new Float32Array(t * t);
  for (let i = 0; i < t; i++) identity[i * t + i] = 1;
  const eye = tensor(identity, [1, t, t], { backend: x.backend });
  const rows = noGrad(() => {
    let r: Tensor | null = null;
    for (const a of layers) {
      const mixed = a.mean(1).add(eye);
      const norm = mixed.div(mixed.sum(-1, true));
      r = r ? norm.matmul(r) : norm;
    }
    const from = first === 1 ? r!.slice(1, 0, 1) : r!.slice(1, first).mean(1, true); // [N, 1, T]
    return resizeBilinear(from.slice(2, first).reshape([n, 1, grid, grid]), h, w);
  });
  const data = await rows.data();
  return Array.from({ length: n }, (_, k) => data.slice(k * h * w, (k + 1) * h * w));
}
