/** Helpers for the perturb tests: a tiny random ViT classifier and seeded tensors. */
import { gradcheck, noGrad, tensor, type Tensor } from '@maskgrad/autograd';
import { seededFloats } from '@maskgrad/kernels/testing';
import { ImageClassifier, VisionTransformer, type ViTConfig } from '@maskgrad/models';

export { gradcheck, noGrad, tensor, type Tensor };

export function seededTensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  return tensor(seededFloats(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
}

/** An 8 px, 3-class ViT with seeded random weights (frozen). */
export function tinyClassifier(): ImageClassifier {
  const config: ViTConfig = {
    layout: 'timm', imageSize: 8, patchSize: 4, numChannels: 3, hiddenSize: 8, numLayers: 1, numHeads: 2, mlpDim: 16,
    qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false,
    numClasses: 3, labels: ['a', 'b', 'c'], imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
  };
  const vit = new VisionTransformer(config);
  let seed = 10;
  for (const [name, p] of vit.namedParameters()) {
    p.assign(seededFloats(p.size, seed++, -0.8, 0.8));
    if (/norm\d?\.weight$/.test(name)) p.assign(new Float32Array(p.size).fill(1));
  }
  vit.freeze();
  return new ImageClassifier(vit, config);
}
