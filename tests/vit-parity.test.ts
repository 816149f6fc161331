/**
 * Parity with PyTorch (tests/fixtures, made by shared/reference/make_fixtures.py):
 * logits and the input gradient of the target logit for ViT-Tiny in the
 * Hugging Face (BF16) and timm (F16) layouts, and the trained shapes model
 * on its eight images.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '@maskgrad/autograd';
import { loadModel, readImageFile, readSafetensorsFile } from '@maskgrad/models/node';
import { cosine, fixture, maxAbs, maxAbsDiff } from './fixtures.js';

describe.each([
  ['vit-tiny-hf-bf16', 115],
  ['vit-tiny-timm-f16', 66],
])('%s against PyTorch', (name, target) => {
  it('logits within 1e-3; d logit[target] / d pixel_values: cosine ≥ 0.999, max |Δ| ≤ 1e-3·max|ref|', async () => {
    const model = loadModel(fixture(name));
    const ref = readSafetensorsFile(fixture(`${name}/reference.safetensors`));
    expect(Number(ref.metadata.target)).toBe(target);
    const x = tensor(ref.read('pixel_values'), [1, 3, 224, 224], { requiresGrad: true });
    const logits = model.forward(x);
    const got = await logits.data();
    const want = ref.read('logits');
    expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-3);
    await logits.slice(1, target, target + 1).sum().backward();
    const g = await x.grad!.data();
    const gw = ref.read('grad_pixel_values_of_target_logit');
    expect(cosine(g, gw)).toBeGreaterThanOrEqual(0.999);
    expect(maxAbsDiff(g, gw)).toBeLessThanOrEqual(1e-3 * maxAbs(gw));
  });
});

describe('shapes-vit-hf (trained, F32) against PyTorch', () => {
  it('the eight PNGs give PyTorch\'s argmax and probabilities within 1e-4', async () => {
    const model = loadModel(fixture('shapes-vit-hf'));
    expect(model.labels).toEqual(['disc', 'square', 'triangle', 'cross']);
    const ref = readSafetensorsFile(fixture('shapes-vit-hf/reference.safetensors'));
    const images = Array.from({ length: 8 }, (_, i) => readImageFile(fixture(`shapes-vit-hf/images/img${i}.png`)));
    const probs = await model.forward(model.preprocess(images)).softmax(-1).data();
    for (let i = 0; i < 8; i++) {
      const p = probs.subarray(i * 4, i * 4 + 4);
      const want = ref.read(`probs_img${i}`);
      expect(maxAbsDiff(p, want), `img${i}`).toBeLessThanOrEqual(1e-4);
      expect(p.indexOf(Math.max(...p))).toBe(want.indexOf(Math.max(...want)));
    }
  });
});
