/**
 * The explainer against the PyTorch reference run (tests/fixtures/shapes-vit-hf,
 * perturb_config.json: deletion, 16×16 mask, blur σ 3, Adam lr 0.1, 100
 * iterations, l1 0.01, tv 0.2, β 3, no noise, no jitter), which is what
 * `preset: 'classic'` (the CLI's --preset classic) resolves to at 64 px.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, readImageFile, readSafetensorsFile, type ImageClassifier } from '@maskgrad/models/node';
import { explainBatch, gaussianBlur, resolveOptions, type ExplainResult } from '@maskgrad/perturb';
import { fixture, maxAbsDiff, meanAbsDiff, pearson } from './fixtures.js';
import { REFERENCE_RUN, REFERENCE_TOLERANCE as TOL } from './reference-run.js';

describe('meaningful perturbation vs PyTorch on shapes-vit-hf', () => {
  let model: ImageClassifier;
  let ref: ReturnType<typeof readSafetensorsFile>;
  let x: ReturnType<ImageClassifier['pixels']>;
  let deterministic: ExplainResult[];

  beforeAll(async () => {
    model = loadModel(fixture('shapes-vit-hf'));
    ref = readSafetensorsFile(fixture('shapes-vit-hf/reference.safetensors'));
    x = model.pixels(Array.from({ length: 8 }, (_, i) => readImageFile(fixture(`shapes-vit-hf/images/img${i}.png`))));
    deterministic = await explainBatch(model, x, { preset: 'classic' });
  });

  it('preset classic is the reference run: the meaningful perturbation with its settings', () => {
    expect(resolveOptions({ preset: 'classic' }, 64)).toMatchObject({ ...REFERENCE_RUN, maskNoise: 0, maskInit: 1, perturbation: 'blur' });
  });

  it('blurs img0 like the reference, within 1e-4', async () => {
    const blurred = await gaussianBlur(x.slice(0, 0, 1), 3).data();
    expect(maxAbsDiff(blurred, ref.read('blurred_img0'))).toBeLessThanOrEqual(1e-4);
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7])('img%i: final mask mean |Δ| ≤ 0.01 and Pearson r ≥ 0.99; target probability per iteration within 0.01', (i) => {
    const r = deterministic[i];
    const want = ref.read(`mask_img${i}`);
    expect(meanAbsDiff(r.mask.values, want)).toBeLessThanOrEqual(TOL.maskMeanAbs);
    expect(pearson(r.mask.values, want)).toBeGreaterThanOrEqual(TOL.maskPearson);
    const hist = ref.read(`history_img${i}`); // [100, 2]: loss, probability
    const probs = Float32Array.from(r.history, (h) => h.probability);
    const refProbs = Float32Array.from({ length: 100 }, (_, k) => hist[k * 2 + 1]);
    expect(maxAbsDiff(probs, refProbs)).toBeLessThanOrEqual(TOL.history);
    const losses = Float32Array.from(r.history, (h) => h.loss);
    const refLosses = Float32Array.from({ length: 100 }, (_, k) => hist[k * 2]);
    expect(maxAbsDiff(losses, refLosses)).toBeLessThanOrEqual(TOL.history);
  });

  it('with mask noise 0.2 (our RNG): median correlation with the noisy reference masks ≥ 0.85', async () => {
    const noisy = await explainBatch(model, x, { preset: 'classic', maskNoise: 0.2, seed: 1 });
    const r = noisy.map((res, i) => pearson(res.mask.values, ref.read(`mask_noisy_img${i}`))).sort((a, b) => a - b);
    const median = (r[3] + r[4]) / 2;
    console.log('noisy-mask correlations', r.map((v) => v.toFixed(3)).join(' '), 'median', median.toFixed(3));
    expect(median).toBeGreaterThanOrEqual(0.85);
  });
});
