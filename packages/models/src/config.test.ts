import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseHfConfig, parseTimmConfig, type ViTConfig } from './config.js';
import { catchCheckpointError as catchError } from './test-safetensors.js';

const fixtureJson = (rel: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../tests/fixtures/${rel}`, import.meta.url), 'utf8'));

const shapesConfig = fixtureJson('shapes-vit-hf/config.json');
const shapesPreprocessor = fixtureJson('shapes-vit-hf/preprocessor_config.json');
const timmConfig = fixtureJson('vit-tiny-timm-f16/timm_config.json');

const hfWith = (patch: Record<string, unknown>, drop: string[] = []) => {
  const json: Record<string, unknown> = { ...shapesConfig, ...patch };
  for (const key of drop) delete json[key];
  return () => parseHfConfig(json, 'config.json');
};
const timmWith = (patch: Record<string, unknown>, drop: string[] = []) => {
  const json: Record<string, unknown> = { ...timmConfig, ...patch };
  for (const key of drop) delete json[key];
  return () => parseTimmConfig(json, 'timm_config.json');
};

describe('parseHfConfig', () => {
  it('reads the shapes fixture with its preprocessor config', () => {
    const expected: ViTConfig = {
      layout: 'hf', imageSize: 64, patchSize: 8, numChannels: 3, hiddenSize: 96, numLayers: 4, numHeads: 4,
      mlpDim: 192, qkvBias: true, layerNormEps: 1e-12, hiddenAct: 'gelu', classToken: true, globalPool: 'token',
      fcNorm: false, numClasses: 4, labels: ['disc', 'square', 'triangle', 'cross'],
      imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
      preprocessing: { resize: { kind: 'size', width: 64, height: 64 }, resample: 'bilinear', crop: null, source: 'preprocessor_config.json' },
    };
    expect(parseHfConfig(shapesConfig, 'config.json', shapesPreprocessor)).toEqual(expected);
  });

  it('reads the ViT-Tiny fixture from text; placeholder LABEL_i names give labels null', () => {
    const text = readFileSync(new URL('../../../tests/fixtures/vit-tiny-hf-bf16/config.json', import.meta.url), 'utf8');
    const c = parseHfConfig(text, 'config.json');
    expect(c).toMatchObject({ imageSize: 224, patchSize: 16, hiddenSize: 192, numLayers: 12, numHeads: 3, mlpDim: 768 });
    expect(c.numClasses).toBe(1000);
    expect(c.labels).toBeNull();
  });

  it('names the file and field of a missing or mistyped field', () => {
    expect(catchError(hfWith({}, ['hidden_size'])).message).toBe(
      'config.json: hidden_size: expected a positive integer, found missing. Add "hidden_size" to config.json.',
    );
    const e = catchError(hfWith({ num_attention_heads: '4' }));
    expect(e).toMatchObject({ file: 'config.json', key: 'num_attention_heads', expected: 'a positive integer', found: 'string "4"' });
    expect(catchError(hfWith({ qkv_bias: 1 })).found).toBe('number 1');
    expect(catchError(hfWith({ layer_norm_eps: -1 })).key).toBe('layer_norm_eps');
    expect(catchError(hfWith({ id2label: { 0: 'a', 2: 'b' } })).found).toBe('"2": "b"');
    expect(catchError(hfWith({ num_labels: 5 })).expected).toBe('4 (the size of id2label)');
    expect(catchError(() => parseHfConfig('{"model_type": ', 'config.json')).expected).toBe('valid JSON');
  });

  it('rejects architectures other than ViTForImageClassification, saying what is supported', () => {
    const deit = catchError(hfWith({ model_type: 'deit', architectures: ['DeiTForImageClassificationWithTeacher'] }));
    expect(deit.key).toBe('model_type');
    expect(deit.found).toBe('string "deit"');
    expect(deit.message).toContain('maskgrad supports Hugging Face ViTForImageClassification');
    const arch = catchError(hfWith({ architectures: ['ViTForMaskedImageModeling'] }));
    expect(arch.message).toBe(
      'config.json: architectures: expected a list containing "ViTForImageClassification", found ["ViTForMaskedImageModeling"]. ' +
        'maskgrad supports Hugging Face ViTForImageClassification (model_type "vit") and timm VisionTransformer checkpoints ' +
        'with global_pool "token" or "avg"; DeiT distilled models, register tokens and LayerScale are not supported.',
    );
    expect(catchError(hfWith({ num_attention_heads: 5 })).expected).toBe('a divisor of hidden_size (96)');
    expect(catchError(hfWith({ image_size: 60 })).expected).toBe('a multiple of the patch size (8)');
    expect(catchError(hfWith({ num_channels: 1 })).expected).toBe('3 (RGB)');
  });

  it('maps hidden_act to exact GELU, tanh GELU or ReLU', () => {
    expect(hfWith({ hidden_act: 'gelu' })().hiddenAct).toBe('gelu');
    expect(hfWith({ hidden_act: 'gelu_new' })().hiddenAct).toBe('gelu_tanh');
    expect(hfWith({ hidden_act: 'gelu_pytorch_tanh' })().hiddenAct).toBe('gelu_tanh');
    expect(hfWith({ hidden_act: 'relu' })().hiddenAct).toBe('relu');
    expect(hfWith({}, ['hidden_act'])().hiddenAct).toBe('gelu');
    expect(catchError(hfWith({ hidden_act: 'swish' })).found).toBe('string "swish"');
  });

  it('reads normalization from the preprocessor config', () => {
    const parse = (pre: Record<string, unknown>) => parseHfConfig(shapesConfig, 'config.json', pre, 'pre.json');
    const imagenet = parse({ image_mean: [0.485, 0.456, 0.406], image_std: [0.229, 0.224, 0.225] });
    expect(imagenet.imageMean).toEqual([0.485, 0.456, 0.406]);
    expect(imagenet.imageStd).toEqual([0.229, 0.224, 0.225]);
    expect(parse({}).imageMean).toEqual([0.5, 0.5, 0.5]);
    expect(parse({ image_mean: 0.25 }).imageMean).toEqual([0.25, 0.25, 0.25]);
    expect(parse({ do_normalize: false, image_mean: [9, 9, 9] })).toMatchObject({ imageMean: [0, 0, 0], imageStd: [1, 1, 1] });
    expect(parse({ size: { shortest_edge: 64 } }).preprocessing).toMatchObject({
      resize: { kind: 'shortest-edge', edge: 64 }, crop: { width: 64, height: 64, offset: 'floor' },
    });
    expect(parse({ size: 256, resample: 3, do_center_crop: true, crop_size: 64 }).preprocessing).toMatchObject({
      resize: { kind: 'size', width: 256, height: 256 }, resample: 'bicubic', crop: { width: 64, height: 64 },
    });
    expect(catchError(() => parse({ resample: 7 })).key).toBe('resample');
    expect(catchError(() => parse({ do_center_crop: true, crop_size: 32 })).key).toBe('crop_size');
    expect(catchError(() => parse({ size: 48, do_center_crop: true, crop_size: 64 })).key).toBe('crop_size');
    expect(catchError(() => parse({ size: { height: 224, width: 224 } })).message).toMatch(
      /^pre\.json: size: expected 64 x 64 \(image_size in the model config\), found \{"height":224,"width":224\}/,
    );
    expect(catchError(() => parse({ image_std: [0.5, 0, 0.5] })).expected).toBe('3 positive numbers for R, G, B');
    expect(catchError(() => parse({ image_mean: [0.5, 0.5] })).found).toBe('array of 2 items');
    expect(catchError(() => parse({ rescale_factor: 1 })).key).toBe('rescale_factor');
    expect(catchError(() => parse({ do_rescale: false })).key).toBe('do_rescale');
  });
});

describe('parseTimmConfig', () => {
  it('reads the timm ViT-Tiny fixture', () => {
    const expected: ViTConfig = {
      layout: 'timm', imageSize: 224, patchSize: 16, numChannels: 3, hiddenSize: 192, numLayers: 12, numHeads: 3,
      mlpDim: 768, qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token',
      fcNorm: false, numClasses: 1000, labels: null, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
    };
    expect(parseTimmConfig(timmConfig, 'timm_config.json')).toEqual(expected);
  });

  it('follows timm for pooling: avg turns fc_norm on (final norm identity) unless fc_norm says otherwise', () => {
    expect(timmWith({ global_pool: 'avg' })()).toMatchObject({ globalPool: 'avg', fcNorm: true });
    expect(timmWith({ global_pool: 'avg', class_token: false })()).toMatchObject({ classToken: false, fcNorm: true });
    expect(timmWith({ global_pool: 'avg', fc_norm: false })().fcNorm).toBe(false);
    expect(timmWith({ fc_norm: null })().fcNorm).toBe(false);
    expect(catchError(timmWith({ global_pool: 'map' })).message).toContain('expected "token" or "avg", found string "map"');
    expect(catchError(timmWith({ class_token: false })).key).toBe('class_token');
  });

  it('applies timm defaults and reads optional fields', () => {
    const c = timmWith(
      { mlp_ratio: 2.66, image_mean: [0.485, 0.456, 0.406], image_std: [0.229, 0.224, 0.225], labels: ['a', 'b'], num_classes: 2, img_size: [224, 224], act_layer: 'gelu_tanh' },
      ['layer_norm_eps', 'qkv_bias', 'in_chans', 'class_token', 'global_pool'],
    )();
    expect(c).toMatchObject({
      mlpDim: 510, layerNormEps: 1e-6, qkvBias: true, numChannels: 3, classToken: true, globalPool: 'token',
      labels: ['a', 'b'], numClasses: 2, imageSize: 224, hiddenAct: 'gelu_tanh',
      imageMean: [0.485, 0.456, 0.406], imageStd: [0.229, 0.224, 0.225],
    });
  });

  it('names the file and field of a missing or mistyped field', () => {
    expect(catchError(timmWith({}, ['num_classes'])).message).toBe(
      'timm_config.json: num_classes: expected a positive integer, found missing. Add "num_classes" to timm_config.json.',
    );
    expect(catchError(timmWith({ depth: 12.5 })).found).toBe('number 12.5');
    expect(catchError(timmWith({ labels: ['a'] })).expected).toBe('an array of 1000 strings (num_classes)');
    expect(catchError(timmWith({ img_size: [224, 192] })).message).toContain('found [224,192]. Only square inputs');
    expect(catchError(timmWith({ num_heads: 5 })).expected).toBe('a divisor of embed_dim (192)');
    expect(catchError(() => parseTimmConfig([1], 'timm_config.json')).found).toBe('array of 1 item');
  });

  it('rejects timm variants it cannot run, saying what is supported', () => {
    for (const patch of [
      { distilled: true }, { architecture: 'deit_tiny_distilled_patch16_224' }, { reg_tokens: 4 },
      { init_values: 1e-5 }, { no_embed_class: true }, { pre_norm: true }, { qk_norm: true },
    ]) {
      const e = catchError(timmWith(patch));
      expect(e.key).toBe(Object.keys(patch)[0]);
      expect(e.message).toContain('maskgrad supports');
    }
    expect(timmWith({ distilled: false, reg_tokens: 0, init_values: null })().numClasses).toBe(1000);
    expect(catchError(timmWith({ act_layer: 'silu' })).key).toBe('act_layer');
  });
});
