// loadModel on hostile checkpoints: sizes in a config that the weights do not back, weights that
// are not finite, tensors that share bytes, files that are not files. Each must fail with a
// CheckpointError naming the file and the key, without allocating for what the config claims.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModel, loadModel } from './load-model.js';
import { checkpoint, configOf, editHeader, expectLoadError, root, weightsOf } from './test-checkpoint.js';

/** Heap and buffers in use after a collection (vitest runs with --expose-gc). */
function usedBytes(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('a config is checked against the weights header before anything is allocated for it', () => {
  it.each([
    ['num_hidden_layers 100000', { num_hidden_layers: 100_000 }, 'vit.layers.4.layernorm_before.weight', 'no such key'],
    ['num_hidden_layers 1e15', { num_hidden_layers: 1e15 }, 'vit.layers.4.layernorm_before.weight', 'no such key'],
    ['image_size 1e9', { image_size: 999_999_992 }, 'vit.embeddings.position_embeddings', 'shape [1, 65, 96]'],
    ['hidden_size 96000', { hidden_size: 96_000, intermediate_size: 192 }, 'vit.embeddings.cls_token', 'shape [1, 1, 96]'],
    ['intermediate_size 1e12', { intermediate_size: 1e12 }, 'vit.layers.0.mlp.fc1.weight', 'shape [192, 96]'],
  ] as [string, Record<string, number>, string, string][])('%s: fails fast, naming the tensor, with memory flat', (_, edit, key, found) => {
    const dir = checkpoint(`config-${Object.keys(edit)[0]}-${Object.values(edit)[0]}`, {
      config: (c) => Object.assign(c, edit),
      preprocessor: (p) => (p.size = { height: edit.image_size ?? 64, width: edit.image_size ?? 64 }),
    });
    const before = usedBytes();
    const t0 = performance.now();
    const e = expectLoadError(() => checkModel(dir), { file: weightsOf(dir), key, expected: /./, found });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(usedBytes() - before).toBeLessThan(16 * 2 ** 20);
    expect(() => loadModel(dir)).toThrow(e.message);
    if (key.includes('layers.4')) expect(e.message).toMatch(/describes \d+ layers but the weights stop before layer 4: fix the layer count/);
  });

  it('timm: an mlp_ratio that gives no whole MLP width is named', () => {
    const dir = join(root, 'timm-ratio');
    expectLoadError(() => checkpointTimm(dir, { mlp_ratio: 1e-9 }), { file: join(dir, 'timm_config.json'), key: 'mlp_ratio', expected: /whole number >= 1/, found: 'number 1e-9' });
  });
});

/** loadModel on the shapes weights with a timm config of this folder (the config fails first). */
function checkpointTimm(dir: string, edit: Record<string, unknown>): unknown {
  const base = checkpoint(`${dir.split('/').pop()}-hf`);
  const config = { img_size: 64, patch_size: 8, embed_dim: 96, depth: 4, num_heads: 4, num_classes: 4, ...edit };
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'timm_config.json'), JSON.stringify(config));
  return loadModel(weightsOf(base), { config: join(dir, 'timm_config.json') });
}

describe('non-finite weights are refused at load, naming the tensor', () => {
  it.each([NaN, Infinity, -Infinity])('%s in a weight', (bad) => {
    const key = 'vit.layers.1.attention.k_proj.weight';
    const dir = checkpoint(`nonfinite-${String(bad)}`, {
      tensors: (t) => {
        const data = Float32Array.from(t[key]!.data);
        data[7] = bad;
        data[100] = bad;
        t[key] = { shape: t[key]!.shape, data };
      },
    });
    const e = expectLoadError(() => loadModel(dir), { file: weightsOf(dir), key, expected: 'finite numbers', found: `${bad} at index 7 (2 of its 9216 values are NaN or infinite)` });
    expect(e.message).toMatch(/export the checkpoint again/);
  });
});

describe('the safetensors format is enforced', () => {
  it('two tensors on the same bytes (q_proj and k_proj) are refused, not loaded', () => {
    const [q, k] = ['vit.layers.0.attention.q_proj.weight', 'vit.layers.0.attention.k_proj.weight'];
    const dir = checkpoint('overlap', { bytes: (b) => editHeader(b, (h) => (h[k]!.data_offsets = [...h[q]!.data_offsets])) });
    const e = expectLoadError(() => loadModel(dir), { file: weightsOf(dir), expected: /^data_offsets starting at \d+, where '.*' ends$/, found: /overlaps '/ });
    expect(e.message).toMatch(/each byte belonging to exactly one tensor/);
  });

  it('bytes after the last tensor are refused', () => {
    const dir = checkpoint('trailing', { bytes: (b) => Uint8Array.from([...b, 1, 2, 3, 4]) });
    expectLoadError(() => loadModel(dir), { file: weightsOf(dir), expected: /the tensors to end where the file ends/, found: '4 bytes after the last tensor' });
  });

  it('weights that are not a regular file are refused without reading', () => {
    const config = configOf(checkpoint('for-dev-zero'));
    expectLoadError(() => loadModel('/dev/zero', { config }), { file: '/dev/zero', expected: 'a safetensors file', found: /character device/ });
  });

  it('a weights file above the size cap is refused before reading (a sparse 5 GiB file)', () => {
    const dir = checkpoint('sparse');
    execFileSync('truncate', ['-s', '5G', weightsOf(dir)]);
    expectLoadError(() => loadModel(dir), { file: weightsOf(dir), expected: /of at most 4 GiB/, found: '5 GiB (5368709120 bytes)' });
  });
});
