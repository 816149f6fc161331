// loadModel on good and broken checkpoints. The broken ones are made from the shapes-vit-hf fixture
// in a temporary folder; each must fail with a CheckpointError that names the file, the key or
// field, what was expected and what was found — and never hand back a half-loaded model.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateDictFromCheckpoint } from '../load.js';
import { readImageFile } from './image-io.js';
import { loadModel } from './load-model.js';
import { readSafetensorsFile } from './read-safetensors-file.js';

import { CheckpointError } from '../errors.js';
import { checkpoint, configOf, editHeader, expectLoadError, fixture, root, SHAPES, shapesTensors, weightsOf } from './test-checkpoint.js';

describe('loadModel: broken weights', () => {
  it('(a) a missing key', () => {
    const dir = checkpoint('missing-key', { tensors: (t) => delete t['vit.layers.0.mlp.fc1.weight'] });
    expectLoadError(() => loadModel(dir), {
      file: weightsOf(dir), key: 'vit.layers.0.mlp.fc1.weight', expected: 'shape [192, 96]', found: 'no such key',
    });
  });

  it('(b) an unexpected extra key', () => {
    const dir = checkpoint('extra-key', { tensors: (t) => (t['vit.pooler.dense.bias'] = { shape: [96], data: new Float32Array(96) }) });
    expectLoadError(() => loadModel(dir), {
      file: weightsOf(dir), key: 'vit.pooler.dense.bias', expected: 'only keys the ViT uses', found: 'an unexpected key',
    });
  });

  it('(c) a misshaped tensor', () => {
    const key = 'vit.layers.2.attention.q_proj.weight';
    const dir = checkpoint('misshaped', { tensors: (t) => (t[key] = { shape: [48, 192], data: t[key]!.data }) });
    expectLoadError(() => loadModel(dir), {
      file: weightsOf(dir), key, expected: 'shape [96, 96]', found: 'shape [48, 192]',
    });
  });

  it('(d) an unknown dtype in the header', () => {
    const key = 'vit.layernorm.weight';
    const dir = checkpoint('unknown-dtype', { bytes: (b) => editHeader(b, (h) => (h[key]!.dtype = 'F8_E4M3')) });
    expectLoadError(() => loadModel(dir), {
      file: weightsOf(dir), key, expected: /^dtype one of F64, F32, F16, BF16/, found: 'string "F8_E4M3"',
    });
  });

  it('(e) a truncated file: the tensor that runs past the end is named', () => {
    const dir = checkpoint('truncated', { bytes: (b) => b.subarray(0, b.length - 100) });
    // writeSafetensors stores tensors in sorted key order, so the last one is cut.
    const last = Object.keys(shapesTensors).sort().at(-1)!;
    expectLoadError(() => loadModel(dir), {
      file: weightsOf(dir), key: last, expected: /^data_offsets within the \d+-byte data section$/, found: /past the end by 100 bytes$/,
    });
  });

  it('(f) a tensor whose data_offsets point past the end of the file', () => {
    const key = 'classifier.bias';
    const dir = checkpoint('offsets-past-end', {
      bytes: (b) => editHeader(b, (h) => {
        const end = Math.max(...Object.values(h).map((e) => e.data_offsets[1]!));
        h[key]!.data_offsets = [end + 64, end + 64 + 16];
      }),
    });
    expectLoadError(() => loadModel(dir), {
      file: weightsOf(dir), key, expected: 'data_offsets within the', found: 'past the end by 80 bytes',
    });
  });

  it('(f) a header length pointing past the end of the file', () => {
    const dir = checkpoint('header-past-end', {
      bytes: (b) => {
        const out = b.slice(0, 4096);
        new DataView(out.buffer).setBigUint64(0, 1_000_000n, true);
        return out;
      },
    });
    expectLoadError(() => loadModel(dir), {
      file: weightsOf(dir), key: 'header length', expected: 'at most 4088', found: '1000000',
    });
  });

  it('(n) a config with 3 layers for 4-layer weights: the fourth layer is an unexpected key', () => {
    const dir = checkpoint('too-few-layers', { config: (c) => (c.num_hidden_layers = 3) });
    const e = expectLoadError(() => loadModel(dir), {
      file: weightsOf(dir), expected: 'only keys the ViT uses', found: 'an unexpected key',
    });
    expect(e.key).toMatch(/^vit\.layers\.3\./);
    expect(e.message).toContain(`${weightsOf(dir)}: ${e.key}`);
  });
});

describe('loadModel: broken configs', () => {
  it('(g) config.json without hidden_size', () => {
    const dir = checkpoint('no-hidden-size', { config: (c) => delete c.hidden_size });
    expectLoadError(() => loadModel(dir), { file: configOf(dir), key: 'hidden_size', expected: 'a positive integer', found: 'missing' });
  });

  it('(h) hidden_size as a string', () => {
    const dir = checkpoint('string-hidden-size', { config: (c) => (c.hidden_size = '96') });
    expectLoadError(() => loadModel(dir), { file: configOf(dir), key: 'hidden_size', expected: 'a positive integer', found: 'string "96"' });
  });

  it('(i) an unsupported architecture: model_type "bert"', () => {
    const dir = checkpoint('bert', { config: (c) => Object.assign(c, { model_type: 'bert', architectures: ['BertModel'] }) });
    const e = expectLoadError(() => loadModel(dir), { file: configOf(dir), key: 'model_type', expected: '"vit"', found: 'string "bert"' });
    expect(e.message).toContain('ViTForImageClassification');
  });

  it('(i) an unsupported architecture: a ViT config for another head', () => {
    const dir = checkpoint('vit-mim', { config: (c) => (c.architectures = ['ViTForMaskedImageModeling']) });
    expectLoadError(() => loadModel(dir), {
      file: configOf(dir), key: 'architectures', expected: 'ViTForImageClassification', found: '["ViTForMaskedImageModeling"]',
    });
  });
});

describe('loadModel: missing files', () => {
  it('(j) a folder with no model.safetensors', () => {
    const dir = checkpoint('no-weights', { weights: false });
    expectLoadError(() => loadModel(dir), { file: dir, expected: 'model.safetensors', found: 'no model.safetensors' });
  });

  it('(k) a folder with no config', () => {
    const dir = checkpoint('no-config', { config: null });
    expectLoadError(() => loadModel(dir), { file: dir, expected: 'config.json (Hugging Face) or timm_config.json (timm)', found: 'neither' });
  });

  it('(l) a bare .safetensors file without the config option', () => {
    const file = join(SHAPES, 'model.safetensors');
    const e = expectLoadError(() => loadModel(file), { file, expected: 'a config', found: 'no config option' });
    expect(e.message).toContain('--config');
  });

  it('(m) a path that does not exist', () => {
    const path = join(root, 'no-such-folder');
    expectLoadError(() => loadModel(path), { file: path, expected: 'a checkpoint folder or a .safetensors file', found: 'nothing at this path' });
  });

  it('a config option that does not exist', () => {
    const config = join(root, 'missing-config.json');
    expectLoadError(() => loadModel(join(SHAPES, 'model.safetensors'), { config }), { file: config, expected: 'a JSON config file', found: 'no such file' });
  });
});

describe('loadModel: good checkpoints', () => {
  const image = readImageFile(fixture('shapes-vit-hf/images/img0.png'));
  const reference = readSafetensorsFile(fixture('shapes-vit-hf/reference.safetensors'));
  const shapes = loadModel(SHAPES);
  const logits = shapes.forward(shapes.preprocess(image)).dataSync();

  it('the HF fixture loads as a folder: config, labels, frozen weights, PyTorch probabilities', () => {
    expect(shapes.config.layout).toBe('hf');
    expect(shapes.config.numLayers).toBe(4);
    expect(shapes.labels).toEqual(['disc', 'square', 'triangle', 'cross']);
    expect(shapes.vit.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const probs = Float32Array.from(logits, Math.exp);
    const z = probs.reduce((a, b) => a + b, 0);
    const want = reference.read('probs_img0');
    for (let i = 0; i < 4; i++) expect(probs[i]! / z).toBeCloseTo(want[i]!, 4);
  });

  it('the HF fixture loads as a bare file with { config }, giving the same logits', () => {
    const bare = loadModel(join(SHAPES, 'model.safetensors'), { config: join(SHAPES, 'config.json') });
    expect(bare.labels).toEqual(shapes.labels);
    expect(bare.forward(bare.preprocess(image)).dataSync()).toEqual(logits);
  });

  it('the timm fixture loads (F16, fused qkv, ImageNet labels)', () => {
    const timm = loadModel(fixture('vit-tiny-timm-f16'));
    expect(timm.config.layout).toBe('timm');
    expect(timm.config.numLayers).toBe(12);
    expect(timm.vit.blocks[0]!.attn.qkv!.weight.shape).toEqual([576, 192]);
    expect(timm.labels.length).toBe(1000);
    expect(timm.vit.parameterCount()).toBe(5_717_416);
  });

  it('a transformers-4 key layout (vit.encoder.layer.N.attention.attention.query…) loads and gives the same logits', () => {
    const rename = (key: string): string => key
      .replace(/^vit\.layers\.(\d+)\.attention\.([qkv])_proj\./, (_, n: string, c: string) =>
        `vit.encoder.layer.${n}.attention.attention.${{ q: 'query', k: 'key', v: 'value' }[c]}.`)
      .replace(/^vit\.layers\.(\d+)\.attention\.o_proj\./, 'vit.encoder.layer.$1.attention.output.dense.')
      .replace(/^vit\.layers\.(\d+)\.mlp\.fc1\./, 'vit.encoder.layer.$1.intermediate.dense.')
      .replace(/^vit\.layers\.(\d+)\.mlp\.fc2\./, 'vit.encoder.layer.$1.output.dense.')
      .replace(/^vit\.layers\.(\d+)\.(layernorm_before|layernorm_after)\./, 'vit.encoder.layer.$1.$2.');
    const dir = checkpoint('transformers-4', {
      tensors: (t) => {
        for (const key of Object.keys(t)) {
          const entry = t[key]!;
          delete t[key];
          t[rename(key)] = entry;
        }
        expect(Object.keys(t).filter((k) => k.startsWith('vit.layers.'))).toEqual([]);
        expect(t['vit.encoder.layer.3.attention.attention.value.weight']?.shape).toEqual([96, 96]);
      },
    });
    const hf4 = loadModel(dir);
    const st = readSafetensorsFile(weightsOf(dir));
    expect(stateDictFromCheckpoint(hf4.vit, st).layout).toBe('hf4');
    expect(hf4.forward(hf4.preprocess(image)).dataSync()).toEqual(logits);
  });

  it('a labels override replaces the config\'s names; a wrong-length override throws', () => {
    const labels = ['round', 'box', 'wedge', 'plus'];
    expect(loadModel(SHAPES, { labels }).labels).toEqual(labels);
    expect(() => loadModel(SHAPES, { labels: labels.slice(0, 3) })).toThrow(/3 labels given for a model with 4 classes/);
  });
});

describe('a failed load leaves an existing model as it was', () => {
  it('loadStateDict with one misshaped checkpoint tensor changes no parameter', async () => {
    const model = loadModel(SHAPES);
    const before = await model.vit.stateDict();
    const next = new Map([...before].map(([k, e]) => [k, { shape: e.shape, data: new Float32Array(e.data.length).fill(0.25) }]));
    next.set('head.weight', { shape: [96, 4], data: new Float32Array(384) });
    expect(() => model.vit.loadStateDict(next, 'other.safetensors')).toThrow(CheckpointError);
    const changed = [...model.vit.namedParameters()]
      .filter(([name, p]) => !Buffer.from(p.dataSync().buffer).equals(Buffer.from(before.get(name)!.data.buffer)))
      .map(([name]) => name);
    expect(changed).toEqual([]);
  });
});
