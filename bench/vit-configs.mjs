// The benchmarks' ViT shapes (timm layout, 224 px, patch 16) and a seeded random-weight model of one.
import { uniformReference } from '@maskgrad/kernels';
import { VisionTransformer } from '@maskgrad/models';

/** Seeded inputs and weights: the kernels' own counter-based hash, in TypeScript. */
export const seededFloats = (n, seed, lo = -1, hi = 1) => uniformReference(n, seed, lo, hi);

/** ViT-Tiny/16's shape (width 192, 12 layers, 3 heads, MLP 768), 1000 classes. */
export const TINY = {
  layout: 'timm', imageSize: 224, patchSize: 16, numChannels: 3, hiddenSize: 192, numLayers: 12, numHeads: 3, mlpDim: 768,
  qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false, numClasses: 1000,
  labels: null, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
};
/** ViT-B/16's shape (224 px, patch 16, width 768, 12 layers, 12 heads, MLP 3072), random weights. */
export const BASE = { ...TINY, hiddenSize: 768, numHeads: 12, mlpDim: 3072 };

/** A frozen ViT of `config` with seeded weights at the usual init scales (layer-norm gains 1). */
export function randomVit(config) {
  const vit = new VisionTransformer(config);
  let seed = 1;
  for (const [name, p] of vit.namedParameters()) {
    const scale = name.endsWith('weight') && p.rank > 1 ? 1 / Math.sqrt(p.shape[p.rank - 1] * (p.rank === 4 ? p.shape[2] * p.shape[3] : 1)) : 0.02;
    p.assign(seededFloats(p.size, seed++, -scale * 1.7, scale * 1.7));
    if (name.endsWith('norm1.weight') || name.endsWith('norm2.weight') || name === 'norm.weight') p.assign(new Float32Array(p.size).fill(1));
  }
  return vit.freeze();
}
