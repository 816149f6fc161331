import { describe, expect, it } from 'vitest';
import { noGrad } from '@maskgrad/autograd';
import { gaussianBlur } from '../blur.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import { deletionOptions, denoiseByDeletion, psnr } from './denoise.js';

describe('de-noising', () => {
  it('psnr: 20 dB for a uniform error of 0.1, infinite for equal images', () => {
    const a = Float32Array.from({ length: 30 }, (_, i) => (i % 7) / 10);
    expect(psnr(a, a.map((v) => v + 0.1))).toBeCloseTo(20, 4);
    expect(psnr(a, a)).toBe(Infinity);
    expect(psnr([0, 0], [255, 255], 255)).toBeCloseTo(0, 10);
    expect(() => psnr([1], [1, 2])).toThrow(/1 and 2 values/);
  });

  it('deletionOptions keeps the settings, plays the deletion game from an all-kept mask, for the predicted class', () => {
    const o = deletionOptions({ game: 'preservation', iterations: 7, maskInit: 0.5, blurSigma: 2, target: 1, onProgress: () => {} });
    expect(o).toEqual({ method: 'meaningful', game: 'deletion', iterations: 7, maskInit: 1, blurSigma: 2 });
  });

  it('denoiseByDeletion blurs only part of the image: every pixel lies between the image and its blur', async () => {
    const model = tinyClassifier();
    const x = seededTensor([2, 3, 8, 8], 4, 0, 1);
    const { images, results } = await denoiseByDeletion(model, x, { iterations: 6, maskSize: 4, blurSigma: 1 });
    const xs = x.dataSync();
    const blurred = noGrad(() => gaussianBlur(x, 1)).dataSync();
    images.forEach((img, k) => {
      expect(results[k].options.game).toBe('deletion');
      for (let i = 0; i < img.length; i++) {
        const [lo, hi] = [Math.min(xs[k * 192 + i], blurred[k * 192 + i]), Math.max(xs[k * 192 + i], blurred[k * 192 + i])];
        expect(img[i]).toBeGreaterThanOrEqual(lo - 1e-6);
        expect(img[i]).toBeLessThanOrEqual(hi + 1e-6);
      }
    });
  });
});
