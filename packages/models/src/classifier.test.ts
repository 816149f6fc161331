// ImageClassifier: preprocessing (rescale, resize, normalize) and top-k classification, on the
// trained shapes model (64 px, mean 0.5, std 0.5).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from './classifier.js';
import { readImageFile } from './node/image-io.js';
import { loadModel } from './node/load-model.js';

const fixture = (rel: string): string => fileURLToPath(new URL(`../../../tests/fixtures/${rel}`, import.meta.url));

const model = loadModel(fixture('shapes-vit-hf'));
const img0 = readImageFile(fixture('shapes-vit-hf/images/img0.png'));

/** A width × height image of one colour, or of a pattern when `rgb` is a function of (x, y). */
function image(width: number, height: number, rgb: [number, number, number] | ((x: number, y: number) => [number, number, number])): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    data.set(typeof rgb === 'function' ? rgb(x, y) : rgb, 3 * (y * width + x));
  }
  return { width, height, data };
}

describe('ImageClassifier.preprocess', () => {
  it('a 64×64 PNG becomes (pixel/255 − 0.5)/0.5, channel-planar [1, 3, 64, 64]', async () => {
    expect([img0.width, img0.height]).toEqual([64, 64]);
    const x = model.preprocess(img0);
    expect(x.shape).toEqual([1, 3, 64, 64]);
    const got = await x.data();
    let worst = 0;
    for (let c = 0; c < 3; c++) for (let i = 0; i < 64 * 64; i++) {
      const want = (img0.data[3 * i + c]! / 255 - 0.5) / 0.5;
      worst = Math.max(worst, Math.abs(got[c * 4096 + i]! - want));
    }
    expect(worst).toBeLessThanOrEqual(1e-6);
    // The image uses most of the range, so a wrong channel order or scale would show.
    expect(Math.min(...got)).toBeLessThan(-0.5);
    expect(Math.max(...got)).toBeGreaterThan(0.5);
  });

  it('a 100×80 image is resized to 64×64; a constant colour stays constant', async () => {
    const rgb: [number, number, number] = [200, 30, 91];
    const x = model.preprocess(image(100, 80, rgb));
    expect(x.shape).toEqual([1, 3, 64, 64]);
    const got = await x.data();
    for (let c = 0; c < 3; c++) {
      const want = (rgb[c]! / 255 - 0.5) / 0.5;
      const plane = got.subarray(c * 4096, (c + 1) * 4096);
      expect(Math.max(...plane.map((v) => Math.abs(v - want)))).toBeLessThanOrEqual(1e-6);
    }
  });

  it('a horizontal ramp keeps its direction and range after resizing', async () => {
    const x = await model.preprocess(image(100, 80, (px) => [Math.round((px * 255) / 99), 0, 0])).data();
    const row = x.subarray(10 * 64, 11 * 64);
    for (let i = 1; i < 64; i++) expect(row[i]!).toBeGreaterThan(row[i - 1]!);
    expect(row[0]!).toBeGreaterThanOrEqual(-1);
    expect(row[63]!).toBeLessThanOrEqual(1);
  });

  it('a batch of different sizes gives [N, 3, 64, 64], each image as on its own', async () => {
    const other = image(100, 80, [10, 250, 128]);
    const batch = await model.preprocess([img0, other]).data();
    expect(batch.length).toBe(2 * 3 * 64 * 64);
    expect(batch.subarray(0, 3 * 4096)).toEqual(await model.preprocess(img0).data());
    expect(batch.subarray(3 * 4096)).toEqual(await model.preprocess(other).data());
  });
});

describe('ImageClassifier.classify', () => {
  it('returns the top k per image, sorted, with their labels; probabilities sum to at most 1', async () => {
    const images = [img0, readImageFile(fixture('shapes-vit-hf/images/img1.png'))];
    const x = model.preprocess(images);
    const top2 = await model.classify(x, 2);
    expect(top2.length).toBe(2);
    const logits = await model.forward(x).data();
    for (let n = 0; n < 2; n++) {
      const r = top2[n]!;
      expect(r.length).toBe(2);
      expect(r[0]!.probability).toBeGreaterThanOrEqual(r[1]!.probability);
      for (const { index, label, probability } of r) {
        expect(label).toBe(model.labels[index]);
        expect(probability).toBeGreaterThanOrEqual(0);
      }
      expect(r.reduce((s, p) => s + p.probability, 0)).toBeLessThanOrEqual(1 + 1e-6);
      const row = Array.from(logits.subarray(4 * n, 4 * n + 4));
      expect(r[0]!.index).toBe(row.indexOf(Math.max(...row)));
    }
    // All four classes: a full distribution in descending order.
    const all = (await model.classify(x, 10))[0]!;
    expect(all.map((p) => p.index).sort()).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < 4; i++) expect(all[i - 1]!.probability).toBeGreaterThanOrEqual(all[i]!.probability);
    expect(all.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
  });
});

describe('ImageClassifier.classify refuses to answer with non-finite probabilities', () => {
  it('finite weights that overflow float32 on an input: a NonFiniteError naming the image', async () => {
    const overflowing = loadModel(fixture('shapes-vit-hf'));
    const head = overflowing.vit.head.weight;
    head.assign(Float32Array.from(await head.data(), (v) => v * 1e38)); // finite, but the logits are not
    const x = overflowing.preprocess([img0, img0]);
    await expect(overflowing.classify(x, 2)).rejects.toThrow(/^image 1: a class probability is NaN\. The weights overflow float32/);
    // the suspect named: the weights file loadModel read
    await expect(overflowing.classify(x, 2)).rejects.toThrow(`. Check the checkpoint ${join(fixture('shapes-vit-hf'), 'model.safetensors')}.`);
    await expect(model.classify(x, 2)).resolves.toHaveLength(2);
  });
});

describe('a model lives on the backend of its weights', () => {
  it('its parameters, pixels() and normalize() use the backend it was made on, not the default one', async () => {
    const { createHostBackend } = await import('@maskgrad/kernels');
    const { getBackend } = await import('@maskgrad/autograd');
    const { VisionTransformer } = await import('./layers/vit.js');
    const { ImageClassifier } = await import('./classifier.js');
    const own = createHostBackend('cpu');
    expect(getBackend()).not.toBe(own);
    const vit = new VisionTransformer({ ...model.config, numLayers: 1 }, undefined, own);
    expect(vit.parameters().every((p) => p.backend === own)).toBe(true);
    const classifier = new ImageClassifier(vit, vit.config);
    const x = classifier.pixels(image(64, 64, [255, 0, 128]));
    expect(x.backend).toBe(own);
    const normalized = classifier.normalize(x);
    expect(normalized.backend).toBe(own);
    expect(Array.from((await normalized.data()).slice(0, 1))).toEqual([1]); // (1 − 0.5) / 0.5
    expect(classifier.forward(normalized).backend).toBe(own);
  });

  it('loadModel puts the weights on the backend it is given, and the logits match the default backend\'s', async () => {
    const { createHostBackend } = await import('@maskgrad/kernels');
    const { loadModel, defaultModelPath } = await import('./node.js');
    const own = createHostBackend('cpu');
    const there = loadModel(defaultModelPath(), { backend: own });
    expect(there.vit.parameters().every((p) => p.backend === own)).toBe(true);
    const here = loadModel(defaultModelPath());
    const img = image(64, 64, [30, 200, 90]);
    const a = await there.forward(there.normalize(there.pixels(img))).data();
    const b = await here.forward(here.normalize(here.pixels(img))).data();
    // the cpu backend's JavaScript and webasm's SIMD round differently: within 1e-4 on logits of size ~10
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
  });
});
