/**
 * The fuzz suite's sandbox: a temporary folder holding a tiny ViT checkpoint (16 px, one layer,
 * classes a, b, c) in the Hugging Face and the timm layouts, valid PNG and JPEG images, and
 * the malformed inputs the corpus writes. `snapshot` lists every file with its size and mtime,
 * so a test can assert that a run wrote nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { seededFloats } from '@maskgrad/kernels/testing';
import { checkpointKey, encodePng, hfConfigJson, mulberry32, saveModel, VisionTransformer, writeSafetensors, type ViTConfig } from '@maskgrad/models/node';

export const TINY: ViTConfig = {
  layout: 'hf', imageSize: 16, patchSize: 8, numChannels: 3, hiddenSize: 8, numLayers: 1, numHeads: 2, mlpDim: 16,
  qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false,
  numClasses: 3, labels: ['a', 'b', 'c'], imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
};

/** timm_config.json of the same model. */
export const TINY_TIMM = { img_size: 16, patch_size: 8, embed_dim: 8, depth: 1, num_heads: 2, mlp_ratio: 2, num_classes: 3, labels: ['a', 'b', 'c'] };

export interface Sandbox {
  root: string;
  /** Where each case writes its inputs (one subfolder per case). */
  inputs: string;
  /** Where each case may write its outputs. */
  outputs: string;
  hf: string;
  /** timm weights and config (a bare .safetensors with --config). */
  timmWeights: string;
  timmConfig: string;
  png: string;
  jpeg: string;
  /** A 64 px PNG for the built-in model's commands (eval, detect). */
  png64: string;
  /** Every file of the tiny model's weights: the header object and the data section. */
  weights: { header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>; data: Uint8Array };
  remove(): void;
}

/**
 * A seeded tiny ViT. `overflowing`: finite weights whose logits are not. 'norm': the final norm's
 * bias 3e38 and the head's weights 1 (each logit sums eight values of 3e38, past the float32
 * range); 'head': every head weight (`classifier.weight` in the file) 3e38.
 */
export function tinyVit(config: ViTConfig = TINY, overflowing?: 'norm' | 'head'): VisionTransformer {
  const vit = new VisionTransformer(config);
  let seed = 100;
  for (const [name, p] of vit.namedParameters()) {
    let values = /norm\d?\.weight$/.test(name) ? new Float32Array(p.size).fill(1) : seededFloats(p.size, seed++, -0.5, 0.5);
    if (overflowing === 'norm' && name === 'norm.bias') values = new Float32Array(p.size).fill(3e38);
    if (overflowing === 'norm' && name === 'head.weight') values = new Float32Array(p.size).fill(1);
    if (overflowing === 'head' && name === 'head.weight') values = new Float32Array(p.size).fill(3e38);
    p.assign(values);
  }
  return vit;
}

/** An RGB test image of `side` px, seeded. */
export function rgbImage(side: number, seed: number): { width: number; height: number; data: Uint8Array } {
  const random = mulberry32(seed);
  return { width: side, height: side, data: Uint8Array.from({ length: side * side * 3 }, () => Math.floor(random() * 256)) };
}

export async function createSandbox(): Promise<Sandbox> {
  const root = mkdtempSync(join(tmpdir(), 'maskgrad-fuzz-'));
  const [inputs, outputs] = [join(root, 'in'), join(root, 'out')];
  mkdirSync(inputs);
  mkdirSync(outputs);
  const hf = join(inputs, 'tiny-hf');
  await saveModel({ vit: tinyVit(), config: TINY }, hf);
  const timmDir = join(inputs, 'tiny-timm');
  mkdirSync(timmDir);
  const vit = tinyVit({ ...TINY, layout: 'timm' });
  const tensors = Object.fromEntries(await Promise.all([...vit.namedParameters()].map(async ([name, t]) => [checkpointKey(name, 'timm'), { shape: [...t.shape], data: await t.data() }])));
  writeFileSync(join(timmDir, 'weights.safetensors'), writeSafetensors(tensors));
  writeFileSync(join(timmDir, 'timm_config.json'), JSON.stringify(TINY_TIMM));
  const img = rgbImage(16, 7);
  const png = join(inputs, 'tiny.png');
  writeFileSync(png, encodePng(16, 16, img.data, 3));
  const png64 = join(inputs, 'shape64.png');
  writeFileSync(png64, encodePng(64, 64, rgbImage(64, 8).data, 3));
  const jpg = join(inputs, 'tiny.jpg');
  const rgba = new Uint8Array(16 * 16 * 4).map((_, i) => (i % 4 === 3 ? 255 : img.data[Math.floor(i / 4) * 3 + (i % 4)]!));
  writeFileSync(jpg, jpeg.encode({ width: 16, height: 16, data: rgba }, 90).data);
  const bytes = readFileSync(join(hf, 'model.safetensors'));
  const n = Number(bytes.readBigUInt64LE(0));
  return {
    root, inputs, outputs, hf, timmWeights: join(timmDir, 'weights.safetensors'), timmConfig: join(timmDir, 'timm_config.json'),
    png, jpeg: jpg, png64,
    weights: { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')), data: Uint8Array.from(bytes.subarray(8 + n)) },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A safetensors file from a header (object or text) and a data section. */
export function safetensorsBytes(header: unknown, data: Uint8Array): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, data]);
}

/** A checkpoint folder under `dir`: the tiny model's config files with these weights bytes (and config edits). */
export function tinyCheckpoint(s: Sandbox, dir: string, weights: Uint8Array | null, config?: (c: Record<string, unknown>) => void): string {
  mkdirSync(dir, { recursive: true });
  const json = hfConfigJson(TINY, TINY.labels!);
  config?.(json);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(json));
  // no `size`: a config's image_size is then held against the weights alone
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ image_mean: TINY.imageMean, image_std: TINY.imageStd }));
  if (weights) writeFileSync(join(dir, 'model.safetensors'), weights);
  return dir;
}

/**
 * Every file and folder under `dir` with its size and modification time, sorted. A folder's
 * modification time changes when an entry is made or removed in it, even one removed at once
 * (a probe): `folderTimes: false` leaves those out, for runs that may probe.
 */
export function snapshot(dir: string, folderTimes = true): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      const st = statSync(path, { throwIfNoEntry: false });
      out.push(`${path} ${e.isDirectory() ? `dir${folderTimes ? ` ${st?.mtimeMs}` : ''}` : `${st?.size ?? 'dangling'} ${st?.mtimeMs ?? ''}`}`);
      if (e.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out.sort();
}
