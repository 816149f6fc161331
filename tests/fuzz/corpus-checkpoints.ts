/**
 * Fuzz corpus, checkpoints: malformed safetensors files (truncations, header lengths, offsets
 * that overlap, leave holes or run past the end, bad shapes and dtypes, non-finite weights,
 * broken headers, files that are not files) and malformed configs (sizes the weights do not
 * back, wrong types, unsupported architectures, broken JSON), all made from the tiny model.
 * Deterministic: every choice comes from one seeded generator.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '@maskgrad/models/node';
import type { Case } from './case.js';
import { safetensorsBytes, TINY_TIMM, tinyCheckpoint, type Sandbox } from './sandbox.js';

type Header = Sandbox['weights']['header'];

export function checkpointCases(s: Sandbox): Case[] {
  return [...safetensorsCases(s), ...configCases(s)];
}

function safetensorsCases(s: Sandbox): Case[] {
  const random = mulberry32(1301);
  const cases: Case[] = [];
  const whole = safetensorsBytes(s.weights.header, s.weights.data);
  const headerEnd = whole.length - s.weights.data.length;
  let n = 0;
  /** A case classifying the tiny PNG with a checkpoint folder holding these weights. */
  const add = (name: string, weights: Uint8Array | null, culprit?: string, setup?: (dir: string) => void) => {
    const dir = tinyCheckpoint(s, join(s.inputs, `st-${n++}`), weights);
    setup?.(dir);
    cases.push({ class: 'safetensors', name, argv: ['classify', s.png, '--model', dir], exit: 2, culprit: culprit ?? join(dir, 'model.safetensors') });
  };
  const edited = (edit: (h: Header) => void, data = s.weights.data) => {
    const h = structuredClone(s.weights.header);
    edit(h);
    return safetensorsBytes(h, data);
  };

  // truncated anywhere: in the length, in the header, in the data
  const cuts = [0, 1, 4, 7, 8, 9, 8 + (headerEnd - 8) / 2, headerEnd - 1, headerEnd + 1, whole.length - 1];
  for (let k = 0; k < 20; k++) cuts.push(headerEnd + 1 + Math.floor(random() * (s.weights.data.length - 2)));
  for (const cut of cuts) add(`truncated to ${Math.floor(cut)} of ${whole.length} bytes`, whole.subarray(0, Math.floor(cut)));

  // a header length that does not fit the file, or is absurd
  for (const length of [0n, 1n, BigInt(whole.length), 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 100_000_001n]) {
    const b = Buffer.from(whole);
    b.writeBigUInt64LE(length);
    add(`header length ${length}`, b);
  }

  // per tensor: offsets, shape and dtype that break the format or disagree with the config
  const names = Object.keys(s.weights.header).filter((k) => k !== '__metadata__');
  const picks = Array.from({ length: 6 }, () => names[Math.floor(random() * names.length)]!);
  for (const key of picks) {
    const { data_offsets: [b, e], shape } = s.weights.header[key]!;
    const other = names.find((k) => k !== key && s.weights.header[k]!.data_offsets[1] - s.weights.header[k]!.data_offsets[0] === e - b);
    const mutations: [string, (h: Header) => void, boolean][] = [
      ['offsets shifted by 4 (overlap or past the end)', (h) => (h[key]!.data_offsets = [b + 4, e + 4]), false],
      ['offsets one element short', (h) => (h[key]!.data_offsets = [b, e - 4]), true],
      ['begin after end', (h) => (h[key]!.data_offsets = [e, b]), true],
      ['negative begin', (h) => (h[key]!.data_offsets = [-4, e]), true],
      ['fractional offsets', (h) => (h[key]!.data_offsets = [b + 0.5, e + 0.5]), true],
      ['offsets as strings', (h) => ((h[key] as unknown as Record<string, unknown>).data_offsets = [String(b), String(e)]), true],
      ['offsets past 2^53', (h) => (h[key]!.data_offsets = [b, 2 ** 60]), true],
      ['no data_offsets', (h) => delete (h[key] as unknown as Record<string, unknown>).data_offsets, true],
      ['the same bytes as another tensor', (h) => (h[key]!.data_offsets = other ? [...s.weights.header[other]!.data_offsets] : [b + 4, e + 4]), false],
      ['one more element in the shape', (h) => (h[key]!.shape = [shape[0]! + 1, ...shape.slice(1)]), true],
      ['an extra axis of 1 (same bytes, other shape than the config)', (h) => (h[key]!.shape = [...shape, 1]), true],
      ['a negative dimension', (h) => (h[key]!.shape = [-1, ...shape.slice(1)]), true],
      ['a dimension of 1e20', (h) => (h[key]!.shape = [1e20]), true],
      ['dtype F8_E4M3', (h) => (h[key]!.dtype = 'F8_E4M3'), true],
      ['dtype F16 over F32 bytes', (h) => (h[key]!.dtype = 'F16'), true],
      ['the entry is null', (h) => ((h as Record<string, unknown>)[key] = null), true],
    ];
    for (const [what, edit, namesKey] of mutations) {
      const dir = join(s.inputs, `st-${n}`, 'model.safetensors');
      add(`${key}: ${what}`, edited(edit), namesKey ? `${dir}: ${key}` : dir);
    }
  }

  // non-finite weights, at seeded places
  for (let k = 0; k < 10; k++) {
    const key = names[Math.floor(random() * names.length)]!;
    const [b, e] = s.weights.header[key]!.data_offsets;
    const at = b + 4 * Math.floor(random() * ((e - b) / 4));
    const value = [NaN, Infinity, -Infinity][k % 3]!;
    const data = Uint8Array.from(s.weights.data);
    new DataView(data.buffer).setFloat32(at, value, true);
    add(`${value} in ${key}`, safetensorsBytes(s.weights.header, data), `${join(s.inputs, `st-${n}`, 'model.safetensors')}: ${key}: expected finite numbers`);
  }

  // broken headers and data sections
  const data = s.weights.data;
  const headers: [string, Uint8Array][] = [
    ['header is an array', safetensorsBytes('[]', data)],
    ['header is null', safetensorsBytes('null', data)],
    ['header is a string', safetensorsBytes('"weights"', data)],
    ['header is not UTF-8', Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe]), data])],
    ['header cut in the middle of the JSON', safetensorsBytes(JSON.stringify(s.weights.header).slice(0, 100), data)],
    ['__metadata__ with a number', edited((h) => ((h as Record<string, unknown>).__metadata__ = { format: 1 }))],
    ['__metadata__ is a list', edited((h) => ((h as Record<string, unknown>).__metadata__ = ['pt']))],
    ['an extra tensor the model does not have', edited((h) => (h['vit.pooler.dense.bias'] = { dtype: 'F32', shape: [2], data_offsets: [data.length, data.length + 8] }), Uint8Array.from([...data, ...new Uint8Array(8)]))],
    ['a tensor renamed', edited((h) => { h['classifier.bias.renamed'] = h['classifier.bias']!; delete h['classifier.bias']; })],
    ['a duplicate key in the JSON text (the later one wins: a hole and an overlap)', safetensorsBytes(JSON.stringify(s.weights.header).replace(/}$/, `,"classifier.bias":${JSON.stringify({ ...s.weights.header['classifier.bias'], data_offsets: [data.length - 12, data.length] })}}`), data)],
    ['an empty header over data', safetensorsBytes('{}', data)],
    ['one byte after the last tensor', safetensorsBytes(s.weights.header, Uint8Array.from([...data, 0]))],
    ['1000 bytes after the last tensor', safetensorsBytes(s.weights.header, Uint8Array.from([...data, ...new Uint8Array(1000)]))],
  ];
  for (const [what, bytes] of headers) add(what, bytes);

  // what is not a file
  add('model.safetensors is a folder', null, undefined, (dir) => mkdirSync(join(dir, 'model.safetensors')));
  add('model.safetensors is a named pipe', null, undefined, (dir) => execFileSync('mkfifo', [join(dir, 'model.safetensors')]));
  add('model.safetensors links to /dev/zero', null, undefined, (dir) => symlinkSync('/dev/zero', join(dir, 'model.safetensors')));
  add('a sparse 5 GiB model.safetensors', null, undefined, (dir) => {
    writeFileSync(join(dir, 'model.safetensors'), '');
    execFileSync('truncate', ['-s', '5G', join(dir, 'model.safetensors')]);
  });
  add('no model.safetensors', null, join(s.inputs, `st-${n}`));
  cases.push({ class: 'safetensors', name: '--model /dev/zero with a config', argv: ['classify', s.png, '--model', '/dev/zero', '--config', join(s.hf, 'config.json')], exit: 2, culprit: '/dev/zero' });
  cases.push({ class: 'safetensors', name: '--model that does not exist', argv: ['classify', s.png, '--model', join(s.inputs, 'nothing-here')], exit: 2, culprit: join(s.inputs, 'nothing-here') });
  return cases;
}

function configCases(s: Sandbox): Case[] {
  const cases: Case[] = [];
  let n = 0;
  const add = (name: string, edit: (c: Record<string, unknown>) => void, culprit: 'config' | 'weights' | string, exit: 0 | 2 = 2) => {
    const dir = tinyCheckpoint(s, join(s.inputs, `cfg-${n++}`), safetensorsBytes(s.weights.header, s.weights.data), edit);
    const where = culprit === 'config' ? join(dir, 'config.json') : culprit === 'weights' ? join(dir, 'model.safetensors') : culprit;
    cases.push({ class: 'config', name, argv: ['classify', s.png, '--model', dir], exit, culprit: exit === 0 ? undefined : where });
  };

  // every size field, every kind of wrong value; sizes that parse are held against the weights
  const sizes = ['image_size', 'patch_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'num_channels'];
  const values: [string, unknown, 'config' | 'weights'][] = [
    ['0', 0, 'config'], ['-1', -1, 'config'], ['1.5', 1.5, 'config'], ['"16"', '16', 'config'], ['true', true, 'config'],
    ['1e9', 1e9, 'weights'], ['1e15', 1e15, 'weights'], ['2^53', 2 ** 53, 'config'], ['1e300', 1e300, 'config'], ['[]', [], 'config'], ['{}', {}, 'config'],
  ];
  for (const key of sizes) {
    for (const [shown, value, where] of values) {
      // sizes the config checks against each other fail there (divisibility, RGB), before the weights
      const early = key === 'num_channels' || (['patch_size', 'num_attention_heads'].includes(key) && where === 'weights');
      add(`${key}: ${shown}`, (c) => (c[key] = value), early ? 'config' : where);
    }
    if (key !== 'num_channels') add(`${key}: null (missing)`, (c) => (c[key] = null), 'config');
  }
  add('num_hidden_layers 100000', (c) => (c.num_hidden_layers = 100_000), 'weights');
  add('image_size 1e9 with patch_size 1e9 (one patch)', (c) => Object.assign(c, { image_size: 1e9, patch_size: 1e9 }), 'weights');
  add('layer_norm_eps 1e300 (accepted: computed stably)', (c) => (c.layer_norm_eps = 1e300), '', 0);
  cases.at(-1)!.argv.push('--json'); // classify writes nothing: its answer must be finite
  add('layer_norm_eps 0', (c) => (c.layer_norm_eps = 0), 'config');
  add('model_type bert', (c) => (c.model_type = 'bert'), 'config');
  add('architectures for another head', (c) => (c.architectures = ['ViTForMaskedImageModeling']), 'config');
  add('hidden_act swish', (c) => (c.hidden_act = 'swish'), 'config');
  add('qkv_bias "yes"', (c) => (c.qkv_bias = 'yes'), 'config');
  add('id2label empty', (c) => (c.id2label = {}), 'config');
  add('id2label with a number', (c) => (c.id2label = { 0: 1, 1: 'b', 2: 'c' }), 'config');
  add('id2label skipping 0', (c) => (c.id2label = { 1: 'a', 2: 'b', 3: 'c' }), 'config');
  add('id2label of 4 classes for 3 in the weights', (c) => Object.assign(c, { id2label: { 0: 'a', 1: 'b', 2: 'c', 3: 'd' }, label2id: undefined }), 'weights');
  add('num_labels disagreeing with id2label', (c) => (c.num_labels = 5), 'config');

  // config files that are not JSON objects, or not files
  const raw = (name: string, file: string, write: (path: string) => void) => {
    const dir = tinyCheckpoint(s, join(s.inputs, `cfg-${n++}`), safetensorsBytes(s.weights.header, s.weights.data));
    write(join(dir, file));
    cases.push({ class: 'config', name, argv: ['classify', s.png, '--model', dir], exit: 2, culprit: join(dir, file) });
  };
  raw('config.json is not JSON', 'config.json', (p) => writeFileSync(p, '{"model_type": "vit",'));
  raw('config.json is a list', 'config.json', (p) => writeFileSync(p, '[1, 2]'));
  raw('config.json is empty', 'config.json', (p) => writeFileSync(p, ''));
  raw('config.json nests 100000 lists', 'config.json', (p) => writeFileSync(p, '['.repeat(100_000)));
  raw('config.json is a sparse 20 MiB file', 'config.json', (p) => {
    writeFileSync(p, '');
    execFileSync('truncate', ['-s', '20M', p]);
  });
  raw('config.json links to /dev/zero', 'config.json', (p) => {
    rmSync(p);
    symlinkSync('/dev/zero', p);
  });
  raw('preprocessor_config.json with a zero std', 'preprocessor_config.json', (p) => writeFileSync(p, JSON.stringify({ image_std: [0, 0.5, 0.5] })));
  raw('preprocessor_config.json for another size', 'preprocessor_config.json', (p) => writeFileSync(p, JSON.stringify({ size: { height: 224, width: 224 } })));
  cases.push({ class: 'config', name: '--config /dev/zero', argv: ['classify', s.png, '--model', s.timmWeights, '--config', '/dev/zero'], exit: 2, culprit: '/dev/zero' });

  // timm configs for the timm weights (a bare .safetensors with --config)
  const timm = (name: string, edit: Record<string, unknown>, culprit: 'config' | 'weights') => {
    const path = join(s.inputs, `timm-${n++}.json`).replace(/\.json$/, '/timm_config.json');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ ...TINY_TIMM, ...edit }));
    cases.push({ class: 'config', name: `timm ${name}`, argv: ['classify', s.png, '--model', s.timmWeights, '--config', path], exit: 2, culprit: culprit === 'config' ? path : s.timmWeights });
  };
  timm('depth 1e7', { depth: 1e7 }, 'weights');
  timm('depth 0', { depth: 0 }, 'config');
  timm('embed_dim 1e9 (a multiple of num_heads)', { embed_dim: 1e9 }, 'weights');
  timm('img_size 1e9', { img_size: 999_999_992 }, 'weights');
  timm('mlp_ratio 1e300', { mlp_ratio: 1e300 }, 'config');
  timm('mlp_ratio 1e-9', { mlp_ratio: 1e-9 }, 'config');
  timm('mlp_ratio -1', { mlp_ratio: -1 }, 'config');
  timm('num_classes 0', { num_classes: 0 }, 'config');
  timm('num_classes 4 for 3 labels', { num_classes: 4 }, 'config');
  timm('global_pool max', { global_pool: 'max' }, 'config');
  timm('class_token false with token pooling', { class_token: false }, 'config');
  timm('distilled', { distilled: true }, 'config');
  timm('register tokens', { reg_tokens: 4 }, 'config');
  timm('act_layer swish', { act_layer: 'swish' }, 'config');
  timm('image_std 0', { image_std: 0 }, 'config');
  return cases;
}
