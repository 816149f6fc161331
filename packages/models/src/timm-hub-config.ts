// timm's Hub config.json (browser-safe): `architecture` names a model function of timm
// (vit_base_patch16_224, deit_small_patch16_224, ...), whose constructor arguments timm keeps in
// code, not in the file. This table holds them for the ViT and DeiT names the port runs; the
// file adds num_classes, global_pool, optional model_args, label_names and the pretrained_cfg
// that gives the preprocessing (input size, interpolation, crop_pct, crop_mode, mean, std).

import { asJsonObject, JsonFields } from './config-fields.js';
import { parseTimmConfig, type ViTConfig } from './config.js';
import { timmPreprocessing } from './preprocessing-config.js';

/** Widths, depths and heads of timm's ViT sizes (Dosovitskiy et al. 2021; tiny and small from DeiT). */
const SIZES = {
  tiny: { embed_dim: 192, depth: 12, num_heads: 3 },
  small: { embed_dim: 384, depth: 12, num_heads: 6 },
  base: { embed_dim: 768, depth: 12, num_heads: 12 },
  large: { embed_dim: 1024, depth: 24, num_heads: 16 },
} as const;

/** [size, patch, image side] of each architecture name timm registers for these models. */
const VIT_VARIANTS: [keyof typeof SIZES, number, number][] = [
  ['tiny', 16, 224], ['tiny', 16, 384],
  ['small', 16, 224], ['small', 16, 384], ['small', 32, 224], ['small', 32, 384], ['small', 8, 224],
  ['base', 16, 224], ['base', 16, 384], ['base', 32, 224], ['base', 32, 384], ['base', 8, 224],
  ['large', 16, 224], ['large', 16, 384], ['large', 32, 224], ['large', 32, 384],
];
const DEIT_VARIANTS: [keyof typeof SIZES, number, number][] = [['tiny', 16, 224], ['small', 16, 224], ['base', 16, 224], ['base', 16, 384]];

/** Architecture name → timm VisionTransformer constructor arguments (mlp_ratio 4, qkv_bias, class token: timm's defaults). */
export const TIMM_ARCHITECTURES: Readonly<Record<string, Readonly<Record<string, number>>>> = Object.fromEntries([
  ...VIT_VARIANTS.map(([size, patch, side]) => [`vit_${size}_patch${patch}_${side}`, { ...SIZES[size], patch_size: patch, img_size: side }]),
  ...DEIT_VARIANTS.map(([size, patch, side]) => [`deit_${size}_patch${patch}_${side}`, { ...SIZES[size], patch_size: patch, img_size: side }]),
]);

/** model_args keys passed through to the constructor (the parser checks and refuses the rest of timm's). */
const MODEL_ARGS = new Set(['img_size', 'global_pool', 'class_token', 'fc_norm', 'qkv_bias', 'mlp_ratio', 'act_layer', 'layer_norm_eps',
  'distilled', 'no_embed_class', 'pre_norm', 'qk_norm', 'reg_tokens', 'init_values']);

/** Whether a parsed config.json is timm's (an `architecture`, no transformers `model_type`). */
export function isTimmHubConfig(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'architecture' in json && !('model_type' in json);
}

/** A ViTConfig from timm's Hub config.json, with the pretrained_cfg's preprocessing. */
export function parseTimmHubConfig(json: unknown, fileName: string): ViTConfig {
  const f = new JsonFields(asJsonObject(json, fileName), fileName);
  const name = f.string('architecture').replace(/^timm\//, '').split('.')[0]!;
  const args = TIMM_ARCHITECTURES[name];
  if (!args) {
    f.fail('architecture', `one of the ViT and DeiT architectures maskgrad runs: ${Object.keys(TIMM_ARCHITECTURES).join(', ')}`, f.json.architecture,
      'Other timm models (distilled DeiT, DeiT III, EVA, BEiT, CLIP towers, register tokens) have layers maskgrad\'s ViT does not.');
  }
  const modelArgs = f.has('model_args') ? asJsonObject(f.json.model_args, `${fileName}: model_args`) : {};
  const unknown = Object.keys(modelArgs).filter((k) => !MODEL_ARGS.has(k));
  if (unknown.length > 0) {
    f.failText('model_args', `only ${[...MODEL_ARGS].join(', ')}`, `"${unknown[0]}"`, 'This model changes its architecture in ways maskgrad\'s ViT does not follow.');
  }
  const ctor: Record<string, unknown> = { ...args, num_classes: f.json.num_classes, global_pool: f.string('global_pool', 'token'), ...modelArgs };
  if (ctor.global_pool === '') ctor.global_pool = 'token';
  const imageSize = typeof ctor.img_size === 'number' ? ctor.img_size : args!.img_size!;
  const cfg = f.has('pretrained_cfg') ? new JsonFields(asJsonObject(f.json.pretrained_cfg, `${fileName}: pretrained_cfg`), fileName) : new JsonFields({}, fileName);
  const { preprocessing, mean, std } = timmPreprocessing(cfg, imageSize);
  const labels = f.json.label_names;
  if (Array.isArray(labels) && labels.length === f.json.num_classes && labels.every((l) => typeof l === 'string')) ctor.labels = labels;
  const config = parseTimmConfig({ ...ctor, image_mean: mean, image_std: std }, fileName);
  config.preprocessing = preprocessing;
  return config;
}
