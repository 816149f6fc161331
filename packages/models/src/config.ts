// One normalized description of a Vision Transformer classifier (Dosovitskiy et al. 2021), read
// from either of the two checkpoint layouts we load: Hugging Face `ViTForImageClassification`
// (config.json + preprocessor_config.json) and timm `VisionTransformer` (timm_config.json, the
// constructor's keyword arguments). Browser-safe: the parsers take parsed JSON (or its text).

import { asJsonObject, JsonFields } from './config-fields.js';
import type { Preprocessing } from './preprocess.js';
import { hfPreprocessing } from './preprocessing-config.js';

/** MLP activations: `gelu` is the exact erf form; `gelu_tanh` the tanh approximation. */
export type HiddenAct = 'gelu' | 'gelu_tanh' | 'relu';

export interface ViTConfig {
  /** Which state-dict naming the weights use. */
  layout: 'hf' | 'timm';
  /** Input side in pixels (square inputs only). */
  imageSize: number;
  patchSize: number;
  /** Always 3 (RGB): images are decoded to RGB and normalized per channel. */
  numChannels: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Width of the hidden layer of each block's MLP. */
  mlpDim: number;
  qkvBias: boolean;
  layerNormEps: number;
  hiddenAct: HiddenAct;
  /** Whether a learned class token is prepended to the patch tokens. */
  classToken: boolean;
  /** 'token': classify the class token; 'avg': classify the mean of the patch tokens. */
  globalPool: 'token' | 'avg';
  /** true: the final norm is the identity and a LayerNorm (fc_norm) follows pooling (timm). */
  fcNorm: boolean;
  numClasses: number;
  /** Class names by logit index, or null when the checkpoint has none (or only LABEL_i). */
  labels: string[] | null;
  /** Normalization of [0, 1] pixels: x' = (x - mean) / std, per channel R, G, B. */
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  /**
   * How an image becomes the S × S input (resize, filter, crop), from the checkpoint's
   * preprocessor_config.json or timm pretrained_cfg; absent: ViTImageProcessor's defaults
   * (squash to S × S, PIL bilinear).
   */
  preprocessing?: Preprocessing;
}

const SUPPORTED =
  'maskgrad supports Hugging Face ViTForImageClassification (model_type "vit") and timm ' +
  'VisionTransformer checkpoints with global_pool "token" or "avg"; DeiT distilled models, ' +
  'register tokens and LayerScale are not supported.';

/** transformers' ViTImageProcessor and timm's original ViT weights normalize with 0.5 / 0.5. */
const HALF: readonly [number, number, number] = [0.5, 0.5, 0.5];

/**
 * Parses a Hugging Face ViT `config.json` and, optionally, its `preprocessor_config.json`
 * (image_mean / image_std, default 0.5; `do_normalize: false` means mean 0, std 1).
 * The architecture sizes are required; other fields default as in transformers' ViTConfig.
 * `id2label` entries that are all the placeholder `LABEL_i` give `labels: null`.
 */
export function parseHfConfig(
  json: unknown,
  fileName: string,
  preprocessorJson?: unknown,
  preprocessorFileName = 'preprocessor_config.json',
): ViTConfig {
  const f: JsonFields = new JsonFields(asJsonObject(json, fileName), fileName);

  const modelType = f.string('model_type');
  if (modelType !== 'vit') f.fail('model_type', '"vit"', f.json.model_type, SUPPORTED);
  if (f.has('architectures')) {
    const archs = f.json.architectures;
    if (!Array.isArray(archs) || !archs.includes('ViTForImageClassification')) {
      f.failText('architectures', 'a list containing "ViTForImageClassification"', JSON.stringify(archs), SUPPORTED);
    }
  }

  const hiddenAct = f.string('hidden_act', 'gelu');
  const acts: Record<string, HiddenAct> = { gelu: 'gelu', gelu_new: 'gelu_tanh', gelu_pytorch_tanh: 'gelu_tanh', relu: 'relu' };
  if (!(hiddenAct in acts)) {
    f.fail('hidden_act', 'one of "gelu" (exact), "gelu_new" or "gelu_pytorch_tanh" (tanh approximation), "relu"', f.json.hidden_act);
  }

  const { numClasses, labels } = readHfLabels(f);
  const config: ViTConfig = {
    layout: 'hf',
    imageSize: f.squareSize('image_size'),
    patchSize: f.squareSize('patch_size'),
    numChannels: f.positiveInt('num_channels', 3),
    hiddenSize: f.positiveInt('hidden_size'),
    numLayers: f.positiveInt('num_hidden_layers'),
    numHeads: f.positiveInt('num_attention_heads'),
    mlpDim: f.positiveInt('intermediate_size'),
    qkvBias: f.boolean('qkv_bias', true),
    layerNormEps: f.positiveNumber('layer_norm_eps', 1e-12),
    hiddenAct: acts[hiddenAct]!,
    classToken: true,
    globalPool: 'token',
    fcNorm: false,
    numClasses,
    labels,
    imageMean: [...HALF],
    imageStd: [...HALF],
  };
  checkShapes(config, f, { channels: 'num_channels', heads: 'num_attention_heads', hidden: 'hidden_size', image: 'image_size' });
  if (preprocessorJson !== undefined) applyHfPreprocessor(config, preprocessorJson, preprocessorFileName);
  return config;
}

function readHfLabels(f: JsonFields): { numClasses: number; labels: string[] | null } {
  if (!f.has('id2label')) {
    if (!f.has('num_labels')) f.fail('id2label', 'an object mapping "0".."n-1" to class names (or num_labels)', undefined);
    return { numClasses: f.positiveInt('num_labels'), labels: null };
  }
  const id2label = f.json.id2label;
  if (typeof id2label !== 'object' || Array.isArray(id2label)) {
    f.fail('id2label', 'an object mapping "0".."n-1" to class names', id2label);
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  const labels: string[] = new Array<string>(entries.length);
  for (const [key, name] of entries) {
    const index = Number(key);
    if (String(index) !== key || index >= entries.length || typeof name !== 'string') {
      f.failText('id2label', `keys "0".."${entries.length - 1}" with string values`, `"${key}": ${JSON.stringify(name)}`);
    }
    labels[index] = name as string;
  }
  if (entries.length === 0) f.failText('id2label', 'at least one class', 'an empty object');
  if (f.has('num_labels') && f.positiveInt('num_labels') !== entries.length) {
    f.fail('num_labels', `${entries.length} (the size of id2label)`, f.json.num_labels);
  }
  const placeholders = labels.every((name, i) => name === `LABEL_${i}`);
  return { numClasses: entries.length, labels: placeholders ? null : labels };
}

function applyHfPreprocessor(config: ViTConfig, json: unknown, fileName: string): void {
  const p: JsonFields = new JsonFields(asJsonObject(json, fileName), fileName);
  // Our pipeline feeds the model 8-bit pixels scaled to [0, 1], then normalized.
  const rescaleHint = 'maskgrad scales 8-bit pixels to [0, 1] before normalizing; other input scalings are not supported.';
  if (!p.boolean('do_rescale', true)) p.fail('do_rescale', 'true', p.json.do_rescale, rescaleHint);
  const factor = p.positiveNumber('rescale_factor', 1 / 255);
  if (Math.abs(factor * 255 - 1) > 1e-6) p.fail('rescale_factor', '1/255 (0.00392156862745098)', factor, rescaleHint);
  config.preprocessing = hfPreprocessing(p, config.imageSize);
  if (p.boolean('do_normalize', true)) {
    config.imageMean = p.rgb('image_mean', HALF);
    config.imageStd = p.rgb('image_std', HALF, true);
  } else {
    config.imageMean = [0, 0, 0];
    config.imageStd = [1, 1, 1];
  }
}

/**
 * Parses a `timm_config.json` that spells out timm's VisionTransformer constructor arguments
 * (img_size, patch_size, in_chans, embed_dim, depth, num_heads, mlp_ratio, qkv_bias, class_token,
 * global_pool, fc_norm, num_classes, layer_norm_eps, act_layer) plus optional image_mean,
 * image_std and labels. Sizes and num_classes are required; the rest default as in timm.
 *
 * image_mean / image_std default to 0.5: right for the original ViT weights, wrong for DeiT and
 * many other timm weights, which use the ImageNet mean (0.485, 0.456, 0.406) and std
 * (0.229, 0.224, 0.225). timm keeps them in the model's pretrained_cfg; copy them into this file.
 */
export function parseTimmConfig(json: unknown, fileName: string): ViTConfig {
  const f: JsonFields = new JsonFields(asJsonObject(json, fileName), fileName);

  for (const key of ['architecture', 'model_name']) {
    if (f.has(key) && /distilled/.test(String(f.json[key]))) f.fail(key, 'a non-distilled ViT', f.json[key], SUPPORTED);
  }
  const unsupported: [key: string, ok: (v: unknown) => boolean, expected: string][] = [
    ['distilled', (v) => v === false, 'false (no distillation token)'],
    ['no_embed_class', (v) => v === false, 'false (position embeddings include the class token)'],
    ['pre_norm', (v) => v === false, 'false (no LayerNorm before the blocks)'],
    ['qk_norm', (v) => v === false, 'false (no LayerNorm on queries and keys)'],
    ['reg_tokens', (v) => v === 0, '0 (no register tokens)'],
    ['init_values', () => false, 'null (no LayerScale)'],
  ];
  for (const [key, ok, expected] of unsupported) {
    if (f.has(key) && !ok(f.json[key])) f.fail(key, expected, f.json[key], SUPPORTED);
  }

  const globalPool = f.string('global_pool', 'token');
  if (globalPool !== 'token' && globalPool !== 'avg') f.fail('global_pool', '"token" or "avg"', f.json.global_pool, SUPPORTED);
  const classToken = f.boolean('class_token', true);
  if (globalPool === 'token' && !classToken) {
    f.fail('class_token', 'true when global_pool is "token"', f.json.class_token, 'Set global_pool to "avg", or class_token to true.');
  }
  // timm: fc_norm=None means "use fc_norm iff global_pool is avg"; then the final norm is the identity.
  const fcNorm = f.has('fc_norm') ? f.boolean('fc_norm') : globalPool === 'avg';

  const actName = f.string('act_layer', 'gelu');
  const acts: Record<string, HiddenAct> = { gelu: 'gelu', gelu_tanh: 'gelu_tanh', relu: 'relu' };
  if (!(actName in acts)) f.fail('act_layer', 'one of "gelu" (exact), "gelu_tanh", "relu"', f.json.act_layer);

  const numClasses = f.positiveInt('num_classes');
  let labels: string[] | null = null;
  if (f.has('labels')) {
    const v = f.json.labels;
    if (!Array.isArray(v) || v.length !== numClasses || !v.every((s) => typeof s === 'string')) {
      f.fail('labels', `an array of ${numClasses} strings (num_classes)`, v);
    }
    labels = [...(v as string[])];
  }

  const hiddenSize = f.positiveInt('embed_dim');
  const config: ViTConfig = {
    layout: 'timm',
    imageSize: f.squareSize('img_size'),
    patchSize: f.squareSize('patch_size'),
    numChannels: f.positiveInt('in_chans', 3),
    hiddenSize,
    numLayers: f.positiveInt('depth'),
    numHeads: f.positiveInt('num_heads'),
    // timm: Mlp(hidden_features=int(embed_dim * mlp_ratio)).
    mlpDim: Math.trunc(hiddenSize * f.positiveNumber('mlp_ratio', 4)),
    qkvBias: f.boolean('qkv_bias', true),
    layerNormEps: f.positiveNumber('layer_norm_eps', 1e-6),
    hiddenAct: acts[actName]!,
    classToken,
    globalPool,
    fcNorm,
    numClasses,
    labels,
    imageMean: f.rgb('image_mean', HALF),
    imageStd: f.rgb('image_std', HALF, true),
  };
  if (!Number.isSafeInteger(config.mlpDim) || config.mlpDim < 1) {
    f.fail('mlp_ratio', `a ratio that makes embed_dim × mlp_ratio a whole number >= 1 (embed_dim is ${hiddenSize})`, f.json.mlp_ratio);
  }
  checkShapes(config, f, { channels: 'in_chans', heads: 'num_heads', hidden: 'embed_dim', image: 'img_size' });
  return config;
}

/** Checks shared by both layouts; `keys` names the fields in this file's own vocabulary. */
function checkShapes(
  c: ViTConfig,
  f: JsonFields,
  keys: { channels: string; heads: string; hidden: string; image: string },
): void {
  if (c.numChannels !== 3) f.fail(keys.channels, '3 (RGB)', f.json[keys.channels], 'Only RGB models are supported.');
  if (c.hiddenSize % c.numHeads !== 0) {
    f.fail(keys.heads, `a divisor of ${keys.hidden} (${c.hiddenSize})`, f.json[keys.heads],
      'Each attention head gets hidden_size / num_heads channels; check the config against the weights.');
  }
  if (c.imageSize % c.patchSize !== 0) {
    f.fail(keys.image, `a multiple of the patch size (${c.patchSize})`, f.json[keys.image],
      'Images must tile exactly into patches.');
  }
}
