// saveModel → loadModel round trip: a tiny random ViT comes back with the same parameters, the
// same logits, labels and preprocessing; the folder is replaced whole; unsavable models are refused.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { noGrad, tensor } from '@maskgrad/autograd';
import type { ViTConfig } from '../config.js';
import { CheckpointError } from '../errors.js';
import { VisionTransformer } from '../layers/vit.js';
import { mulberry32 } from '../data/prng.js';
import { ImageClassifier } from '../classifier.js';
import { parseSafetensors } from '../safetensors.js';
import { loadModel } from './load-model.js';
import { saveModel } from './save-model.js';

const root = mkdtempSync(join(tmpdir(), 'maskgrad-save-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tinyConfig(patch: Partial<ViTConfig> = {}): ViTConfig {
  return {
    layout: 'hf', imageSize: 16, patchSize: 8, numChannels: 3, hiddenSize: 8, numLayers: 2, numHeads: 2, mlpDim: 16,
    qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false,
    numClasses: 3, labels: null, imageMean: [0.485, 0.456, 0.406], imageStd: [0.229, 0.224, 0.225], ...patch,
  };
}

function randomVit(config: ViTConfig, seed: number): VisionTransformer {
  const vit = new VisionTransformer(config);
  const rng = mulberry32(seed);
  for (const [, p] of vit.namedParameters()) p.assign(Float32Array.from({ length: p.size }, () => rng() - 0.5));
  return vit;
}

const input = tensor(Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => Math.sin(i * 0.37)), [2, 3, 16, 16]);

describe('saveModel', () => {
  it('round-trips through loadModel: identical parameters, logits, labels and preprocessing', async () => {
    const config = tinyConfig({ hiddenAct: 'gelu_tanh' });
    const vit = randomVit(config, 1);
    const dir = join(root, 'tiny');
    const saved = await saveModel({ vit, config, labels: ['cat', 'dog', 'fish'] }, dir, { 'training.json': { steps: 3 }, 'NOTES.txt': 'hello' });
    expect(saved).toBe(dir);
    expect(readdirSync(dir).sort()).toEqual(['NOTES.txt', 'config.json', 'model.safetensors', 'preprocessor_config.json', 'training.json']);
    expect(JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8'))).toEqual({ steps: 3 });

    const hf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(hf).toMatchObject({
      architectures: ['ViTForImageClassification'], model_type: 'vit', hidden_size: 8, num_hidden_layers: 2,
      num_attention_heads: 2, intermediate_size: 16, image_size: 16, patch_size: 8, num_channels: 3, qkv_bias: true,
      layer_norm_eps: 1e-6, hidden_act: 'gelu_pytorch_tanh',
      id2label: { 0: 'cat', 1: 'dog', 2: 'fish' }, label2id: { cat: 0, dog: 1, fish: 2 },
    });
    const st = parseSafetensors(readFileSync(join(dir, 'model.safetensors')));
    expect(st.tensors.get('vit.layers.1.attention.q_proj.weight')?.dtype).toBe('F32');
    expect(st.tensors.size).toBe(vit.parameters().length);

    const loaded = loadModel(dir);
    expect(loaded.labels).toEqual(['cat', 'dog', 'fish']);
    expect(loaded.config).toMatchObject({ hiddenAct: 'gelu_tanh', layerNormEps: 1e-6, imageMean: config.imageMean, imageStd: config.imageStd });
    const want = await vit.stateDict();
    const got = await loaded.vit.stateDict();
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [name, e] of want) expect(Buffer.from(got.get(name)!.data.buffer).equals(Buffer.from(e.data.buffer))).toBe(true);
    const a = noGrad(() => vit.forward(input)).dataSync();
    const b = noGrad(() => loaded.forward(input)).dataSync();
    expect([...b]).toEqual([...a]);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.01);
  });

  it('keeps the checkpoint\'s own resize and crop (DeiT\'s: 256 × 256 bicubic, centre 16 of a 16 px model here)', async () => {
    const preprocessing = { resize: { kind: 'size', width: 20, height: 20 }, resample: 'bicubic', crop: { width: 16, height: 16, offset: 'floor' }, source: 'x' } as const;
    const config = { ...tinyConfig({}), preprocessing };
    const dir = join(mkdtempSync(join(tmpdir(), 'maskgrad-save-pre-')), 'model');
    await saveModel({ vit: randomVit(config, 2), config }, dir);
    expect(loadModel(dir).config.preprocessing).toEqual({ ...preprocessing, source: join(dir, 'preprocessor_config.json') });
  });

  it('takes an ImageClassifier, and without labels writes LABEL_i (read back as no labels)', async () => {
    const config = tinyConfig();
    const dir = join(root, 'unlabelled');
    await saveModel({ vit: randomVit(config, 2), config }, dir);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    const loaded = loadModel(dir);
    expect(loaded.config.labels).toBeNull();
    const again = join(root, 'from-classifier');
    await saveModel(new ImageClassifier(loaded.vit, loaded.config, ['a', 'b', 'c']), again);
    expect(loadModel(again).labels).toEqual(['a', 'b', 'c']);
  });

  it('replaces an existing folder as a whole and leaves no temporary folders behind', async () => {
    const config = tinyConfig();
    const dir = join(root, 'replace');
    mkdirSync(dir);
    writeFileSync(join(dir, 'stale.txt'), 'old');
    await saveModel({ vit: randomVit(config, 3), config }, dir);
    expect(existsSync(join(dir, 'stale.txt'))).toBe(false);
    await saveModel({ vit: randomVit(config, 4), config }, dir);
    expect(readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
    const first = (await loadModel(dir).vit.stateDict()).get('head.weight')!.data;
    expect(Buffer.from(first.buffer).equals(Buffer.from((await randomVit(config, 4).stateDict()).get('head.weight')!.data.buffer))).toBe(true);
  });

  it('saves a timm-layout model (fused qkv, average pooling, fc_norm) in timm\'s layout, and it loads back the same', async () => {
    const config = tinyConfig({ layout: 'timm', globalPool: 'avg', fcNorm: true, mlpDim: 24, labels: ['a', 'b', 'c'] });
    const vit = randomVit(config, 5);
    const dir = join(root, 'timm');
    await saveModel({ vit, config }, dir, { 'training.json': { steps: 1 } });
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'timm_config.json', 'training.json']);
    expect(JSON.parse(readFileSync(join(dir, 'timm_config.json'), 'utf8'))).toMatchObject({
      embed_dim: 8, depth: 2, num_heads: 2, mlp_ratio: 3, global_pool: 'avg', fc_norm: true, num_classes: 3, labels: ['a', 'b', 'c'],
    });
    const st = parseSafetensors(readFileSync(join(dir, 'model.safetensors')));
    expect(st.tensors.get('blocks.1.attn.qkv.weight')?.shape).toEqual([24, 8]);
    expect(st.tensors.has('fc_norm.weight')).toBe(true);
    const loaded = loadModel(dir);
    expect(loaded.config).toMatchObject({ layout: 'timm', globalPool: 'avg', fcNorm: true, mlpDim: 24, layerNormEps: 1e-6 });
    expect(loaded.labels).toEqual(['a', 'b', 'c']);
    const a = noGrad(() => vit.forward(input)).dataSync();
    const b = noGrad(() => loaded.forward(input)).dataSync();
    expect([...b]).toEqual([...a]);
  });

  it('refuses bad extra file names', async () => {
    const config = tinyConfig();
    await expect(saveModel({ vit: randomVit(config, 6), config }, join(root, 'bad'), { 'config.json': {} })).rejects.toThrow(/config\.json/);
    await expect(saveModel({ vit: randomVit(config, 6), config }, join(root, 'bad'), { 'timm_config.json': {} })).rejects.toThrow(/timm_config\.json/);
    await expect(saveModel({ vit: randomVit(config, 6), config }, join(root, 'bad'), { '../x.json': {} })).rejects.toThrow(CheckpointError);
    expect(existsSync(join(root, 'bad'))).toBe(false);
  });
});
