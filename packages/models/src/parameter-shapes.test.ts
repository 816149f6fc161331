import { describe, expect, it } from 'vitest';
import { noGrad } from '@maskgrad/autograd';
import type { ViTConfig } from './config.js';
import { VisionTransformer } from './layers/vit.js';
import { parameterShapes } from './parameter-shapes.js';

const base: ViTConfig = {
  layout: 'hf', imageSize: 16, patchSize: 8, numChannels: 3, hiddenSize: 8, numLayers: 2, numHeads: 2, mlpDim: 12,
  qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false,
  numClasses: 3, labels: null, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
};

describe('parameterShapes: the model as the oracle', () => {
  it.each([
    ['hf, separate q/k/v', base],
    ['timm, fused qkv without bias', { ...base, layout: 'timm', qkvBias: false }],
    ['timm, avg pooling with fc_norm, no class token', { ...base, layout: 'timm', classToken: false, globalPool: 'avg', fcNorm: true }],
    ['three layers, 24 px', { ...base, numLayers: 3, imageSize: 24 }],
  ] as [string, ViTConfig][])('%s: the names and shapes VisionTransformer registers, in order', (_, config) => {
    const vit = noGrad(() => new VisionTransformer(config));
    const fromModel = [...vit.namedParameters()].map(([name, t]) => [name, [...t.shape]]);
    expect([...parameterShapes(config)]).toEqual(fromModel);
  });

  it('is lazy: a config with 10^15 layers yields its first block without enumerating the rest', () => {
    const shapes = parameterShapes({ ...base, numLayers: 1e15 });
    const first = Array.from({ length: 6 }, () => shapes.next().value![0]);
    expect(first.at(-1)).toBe('blocks.0.norm1.bias');
  });
});
