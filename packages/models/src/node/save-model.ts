/**
 * Node-only: save a ViT classifier as a checkpoint folder that loadModel
 * reads back: a Hugging Face one — config.json (ViTForImageClassification),
 * preprocessor_config.json and model.safetensors (F32, transformers 5 key
 * names) — or, for a timm-layout model (fused qkv, optional average pooling
 * and fc_norm), timm_config.json (timm's constructor arguments) and
 * model.safetensors with timm's key names. The folder appears whole or not at all: it is
 * written next to its destination under a temporary name, then renamed.
 */
import { existsSync, fsyncSync, closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { checkpointKey } from '../checkpoint-keys.js';
import type { ImageClassifier } from '../classifier.js';
import type { HiddenAct, ViTConfig } from '../config.js';
import { CheckpointError } from '../errors.js';
import { PIL_RESAMPLE_BY_NUMBER } from '../resample.js';
import type { VisionTransformer } from '../layers/vit.js';
import { writeSafetensors, type SafetensorsWriteEntry } from '../safetensors.js';

export interface ModelToSave {
  vit: VisionTransformer;
  config: ViTConfig;
  /** Class names by logit index (default: config.labels, else LABEL_i). */
  labels?: readonly string[] | null;
}

/** Extra files written into the same folder, by file name: JSON values, text or bytes. */
export type ExtraFiles = Record<string, unknown>;

const HF_ACT: Record<HiddenAct, string> = { gelu: 'gelu', gelu_tanh: 'gelu_pytorch_tanh', relu: 'relu' };

/** config.json as transformers' ViTConfig writes it (the fields loadModel reads, plus the usual defaults). */
export function hfConfigJson(config: ViTConfig, labels: readonly string[]): Record<string, unknown> {
  return {
    architectures: ['ViTForImageClassification'],
    model_type: 'vit',
    id2label: Object.fromEntries(labels.map((name, i) => [String(i), name])),
    label2id: Object.fromEntries(labels.map((name, i) => [name, i])),
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    intermediate_size: config.mlpDim,
    hidden_act: HF_ACT[config.hiddenAct],
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    initializer_range: 0.02,
    layer_norm_eps: config.layerNormEps,
    image_size: config.imageSize,
    patch_size: config.patchSize,
    num_channels: config.numChannels,
    qkv_bias: config.qkvBias,
    encoder_stride: config.patchSize,
  };
}

/** preprocessor_config.json for ViTImageProcessor: resize to the model size, rescale 1/255, normalize. */
export function hfPreprocessorJson(config: ViTConfig): Record<string, unknown> {
  // the config's own resize and crop (ViTImageProcessor's defaults when it has none)
  const p = config.preprocessing;
  const resize = p?.resize ?? { kind: 'size', width: config.imageSize, height: config.imageSize };
  const resample = Object.entries(PIL_RESAMPLE_BY_NUMBER).find(([, name]) => name === (p?.resample ?? 'bilinear'))![0];
  return {
    image_processor_type: 'ViTImageProcessor',
    do_resize: true,
    size: resize.kind === 'size' ? { height: resize.height, width: resize.width } : { shortest_edge: resize.edge },
    resample: Number(resample),
    ...(p?.crop ? { do_center_crop: true, crop_size: { height: p.crop.height, width: p.crop.width } } : {}),
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [...config.imageMean],
    image_std: [...config.imageStd],
  };
}

const TIMM_ACT: Record<HiddenAct, string> = { gelu: 'gelu', gelu_tanh: 'gelu_tanh', relu: 'relu' };

/** timm_config.json: timm VisionTransformer's constructor arguments, plus labels and the normalization (parseTimmConfig). */
export function timmConfigJson(config: ViTConfig, labels: readonly string[]): Record<string, unknown> {
  return {
    img_size: config.imageSize,
    patch_size: config.patchSize,
    in_chans: config.numChannels,
    embed_dim: config.hiddenSize,
    depth: config.numLayers,
    num_heads: config.numHeads,
    mlp_ratio: config.mlpDim / config.hiddenSize,
    qkv_bias: config.qkvBias,
    class_token: config.classToken,
    global_pool: config.globalPool,
    fc_norm: config.fcNorm,
    act_layer: TIMM_ACT[config.hiddenAct],
    layer_norm_eps: config.layerNormEps,
    num_classes: config.numClasses,
    labels: [...labels],
    image_mean: [...config.imageMean],
    image_std: [...config.imageStd],
  };
}

/** What transformers' ViTForImageClassification cannot express (timm-layout models are saved in timm's layout). */
function checkSavable(config: ViTConfig, target: string): void {
  if (config.layout === 'timm') {
    // timm builds the MLP as int(embed_dim × mlp_ratio)
    if (Math.trunc(config.hiddenSize * (config.mlpDim / config.hiddenSize)) !== config.mlpDim) {
      throw new CheckpointError({ file: target, key: 'mlpDim', expected: 'hiddenSize × a ratio timm can write back', found: `${config.mlpDim}` });
    }
    return;
  }
  const fail = (key: string, expected: string, found: string): never => {
    throw new CheckpointError({
      file: target, key, expected, found,
      hint: 'Only models with the Hugging Face ViT architecture (class token, token pooling, separate q/k/v) can be saved in this layout.',
    });
  };
  if (config.layout !== 'hf') fail('layout', "'hf' (separate q/k/v projections)", `'${config.layout}'`);
  if (!config.classToken) fail('classToken', 'true', 'false');
  if (config.globalPool !== 'token') fail('globalPool', "'token'", `'${config.globalPool}'`);
  if (config.fcNorm) fail('fcNorm', 'false', 'true');
}

function writeFileDurably(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'wx');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const text = typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`;
  return new TextEncoder().encode(text);
}

/**
 * Write `model` to the folder `dir` (created, or replaced as a whole),
 * with `extra` files beside it (e.g. { 'training.json': {...} }).
 * Returns the absolute path of the folder.
 */
export async function saveModel(model: ImageClassifier | ModelToSave, dir: string, extra: ExtraFiles = {}): Promise<string> {
  const target = resolve(dir);
  const { vit, config } = model;
  const labels = model.labels ?? config.labels ?? Array.from({ length: config.numClasses }, (_, i) => `LABEL_${i}`);
  checkSavable(config, target);
  if (labels.length !== config.numClasses) {
    throw new CheckpointError({ file: target, key: 'labels', expected: `${config.numClasses} names (numClasses)`, found: `${labels.length}` });
  }
  const timm = config.layout === 'timm';
  const reserved = ['config.json', 'preprocessor_config.json', 'timm_config.json', 'model.safetensors'];
  for (const name of Object.keys(extra)) {
    if (reserved.includes(name) || basename(name) !== name || name.startsWith('.')) {
      throw new CheckpointError({ file: target, key: name, expected: 'a plain file name other than the checkpoint files', found: `'${name}'` });
    }
  }

  const tensors: Record<string, SafetensorsWriteEntry> = {};
  for (const [name, p] of vit.namedParameters()) tensors[checkpointKey(name, timm ? 'timm' : 'hf')] = { shape: [...p.shape], data: await p.data() };
  const configFiles: [string, Uint8Array][] = timm
    ? [['timm_config.json', asBytes(timmConfigJson(config, labels))]]
    : [['config.json', asBytes(hfConfigJson(config, labels))], ['preprocessor_config.json', asBytes(hfPreprocessorJson(config))]];
  const files: [string, Uint8Array][] = [
    ...configFiles,
    ['model.safetensors', writeSafetensors(tensors, { format: 'pt' })],
    ...Object.entries(extra).map(([name, value]): [string, Uint8Array] => [name, asBytes(value)]),
  ];

  mkdirSync(dirname(target), { recursive: true });
  const suffix = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const tmp = join(dirname(target), `.${basename(target)}.${suffix}.tmp`);
  const old = join(dirname(target), `.${basename(target)}.${suffix}.old`);
  try {
    mkdirSync(tmp);
    for (const [name, bytes] of files) writeFileDurably(join(tmp, name), bytes);
    // rename() cannot replace a non-empty folder: move the old one aside first
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
  } catch (cause) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    throw new CheckpointError({
      file: target, expected: 'a writable folder', found: (cause as Error).message, cause,
      hint: 'Check that the parent folder exists and is writable.',
    });
  }
  rmSync(old, { recursive: true, force: true });
  return target;
}
