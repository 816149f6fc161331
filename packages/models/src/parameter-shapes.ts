/**
 * The name and shape of every parameter of `new VisionTransformer(config)`, computed from the
 * config alone: nothing is allocated, and the layers are produced one at a time. A config is
 * checked against a checkpoint's header with this before the model is built, so that a config
 * that asks for 100000 layers or a 10⁹-pixel input fails on the first tensor the file lacks
 * instead of allocating for it. parameter-shapes.test.ts checks it against
 * VisionTransformer.namedParameters() (the model is the oracle).
 */
import type { ViTConfig } from './config.js';
import type { QkvLayout } from './layers/attention.js';

type Shape = number[];

function* linear(prefix: string, inFeatures: number, outFeatures: number, bias = true): Generator<[string, Shape]> {
  yield [`${prefix}.weight`, [outFeatures, inFeatures]];
  if (bias) yield [`${prefix}.bias`, [outFeatures]];
}

function* layerNorm(prefix: string, dim: number): Generator<[string, Shape]> {
  yield [`${prefix}.weight`, [dim]];
  yield [`${prefix}.bias`, [dim]];
}

/** In the order VisionTransformer registers them (its own parameters, then its children's). */
export function* parameterShapes(c: ViTConfig, layout: QkvLayout = c.layout === 'hf' ? 'separate' : 'fused'): Generator<[string, Shape]> {
  const d = c.hiddenSize;
  const grid = c.imageSize / c.patchSize;
  if (c.classToken) yield ['clsToken', [1, 1, d]];
  yield ['posEmbed', [1, grid * grid + (c.classToken ? 1 : 0), d]];
  yield ['patchEmbed.weight', [d, c.numChannels, c.patchSize, c.patchSize]];
  yield ['patchEmbed.bias', [d]];
  for (let i = 0; i < c.numLayers; i++) {
    const b = `blocks.${i}`;
    yield* layerNorm(`${b}.norm1`, d);
    if (layout === 'fused') {
      yield* linear(`${b}.attn.qkv`, d, 3 * d, c.qkvBias);
    } else {
      for (const p of ['q', 'k', 'v']) yield* linear(`${b}.attn.${p}`, d, d, c.qkvBias);
    }
    yield* linear(`${b}.attn.proj`, d, d);
    yield* layerNorm(`${b}.norm2`, d);
    yield* linear(`${b}.mlp.fc1`, d, c.mlpDim);
    yield* linear(`${b}.mlp.fc2`, c.mlpDim, d);
  }
  yield* layerNorm(c.fcNorm ? 'fcNorm' : 'norm', d);
  yield* linear('head', d, c.numClasses);
}
