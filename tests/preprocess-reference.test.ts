/**
 * The checkpoint's own preprocessing against Pillow (tests/fixtures/preprocess, made by
 * scripts/make-preprocess-reference.py with /usr/bin/python3, Pillow 9.4): each photo resized
 * and cropped as transformers' ViTImageProcessor / DeiTImageProcessor and timm's eval transform
 * do, compared in normalized units ((x / 255 − mean) / std, the model's input).
 * JPEGs are decoded by Pillow's libjpeg there and by jpeg-js here, so they differ by the
 * decoders (test: mean |Δ| ≤ 0.01); the PNG has no decoder difference (test: identical).
 * For contrast, the pipeline before issue 22 (no EXIF, a bilinear squash without antialiasing).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { resizeBilinear, tensor } from '@maskgrad/autograd';
import { decodeImage, parseHfPreprocessing, parseTimmPretrainedCfg, prepareImage, type RgbImage } from '@maskgrad/models/node';
import { fixture } from './fixtures.js';

interface Processor { kind: 'preprocessor_config.json' | 'pretrained_cfg'; config: Record<string, unknown> }
const manifest = JSON.parse(readFileSync(fixture('preprocess/manifest.json'), 'utf8')) as {
  processors: Record<string, Processor>;
  cases: { image: string; processor: string; upright: [number, number]; input: string }[];
};
const read = (name: string): RgbImage => {
  const bytes = readFileSync(fixture(`preprocess/${name}`));
  return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
};

function processorOf(name: string) {
  const p = manifest.processors[name]!;
  if (p.kind === 'pretrained_cfg') {
    const { preprocessing, mean, std } = parseTimmPretrainedCfg(p.config, `${name} config.json`, 224);
    return { preprocessing, mean, std };
  }
  const c = p.config as { image_mean: number[]; image_std: number[] };
  return { preprocessing: parseHfPreprocessing(p.config, `${name} preprocessor_config.json`, 224), mean: c.image_mean, std: c.image_std };
}

/** Mean and max |Δ| between two 8-bit RGB images of one size, in normalized units. */
function normalizedDelta(a: Uint8Array | Float32Array, b: Uint8Array, std: readonly number[]): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / 255 / std[i % 3]!;
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / b.length, max };
}

describe('preprocessing against transformers/timm with Pillow', () => {
  it.each(manifest.cases.map((c) => [`${c.image} with ${c.processor}`, c] as const))('%s', (_, c) => {
    const { preprocessing, std } = processorOf(c.processor);
    const photo = read(c.image);
    expect([photo.width, photo.height]).toEqual(c.upright); // EXIF orientation applied
    const ours = prepareImage(photo, preprocessing, 224).image;
    const ref = read(c.input);
    expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
    const d = normalizedDelta(ours.data, ref.data, std);
    console.log(`${c.image} ${c.processor}: mean |Δ| ${d.mean.toFixed(4)}, max ${d.max.toFixed(3)} (normalized units)`);
    if (c.image.endsWith('.png')) expect(d.max).toBe(0);
    else expect(d.mean).toBeLessThanOrEqual(0.01);
  });

  it('the pipeline before (no EXIF, bilinear squash without a filter) is far off: what the test catches', async () => {
    for (const c of manifest.cases.filter((k) => k.image.endsWith('.jpg') && k.processor === 'hf-vit')) {
      const stored = jpeg.decode(readFileSync(fixture(`preprocess/${c.image}`)), { useTArray: true, formatAsRGBA: false });
      const planar = new Float32Array(3 * stored.width * stored.height);
      const plane = stored.width * stored.height;
      for (let i = 0; i < plane; i++) for (let k = 0; k < 3; k++) planar[k * plane + i] = stored.data[i * 3 + k]! / 255;
      const squashed = await resizeBilinear(tensor(planar, [1, 3, stored.height, stored.width]), 224, 224).data();
      const interleaved = new Float32Array(224 * 224 * 3);
      for (let i = 0; i < 224 * 224; i++) for (let k = 0; k < 3; k++) interleaved[i * 3 + k] = squashed[k * 224 * 224 + i]! * 255;
      const d = normalizedDelta(interleaved, read(c.input).data, [0.5, 0.5, 0.5]);
      console.log(`before: ${c.image} hf-vit: mean |Δ| ${d.mean.toFixed(4)}, max ${d.max.toFixed(3)}`);
      expect(d.mean).toBeGreaterThan(0.03);
    }
  });
});
