import { describe, expect, it } from 'vitest';
import { attack } from '../attack.js';
import { resolveMeaningful } from '../options.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import { adaptiveAttack } from './adaptive.js';
import { detectorScores, explainOptionsOf, trainDetector } from './detector.js';
import { explainFeatures } from './features.js';

const model = tinyClassifier();
const explainOptions = resolveMeaningful({ game: 'preservation', perturbation: 'blur', iterations: 5, maskSize: 4, blurSigma: 1, maskNoise: 0, jitter: 0 }, 8);

describe('adaptive attack (BPDA through the detector\'s explanation)', () => {
  it('stays within ε, reports the true detector score of what it returns, and scores lower than PGD that ignores the detector', async () => {
    const eps = 0.1;
    const train = seededTensor([12, 3, 8, 8], 31, 0.05, 0.95);
    const pgd = await attack(model, train, { eps, steps: 10, seed: 4 });
    const clean = await explainFeatures(model, train, explainOptionsOf({ explainOptions }));
    const adv = await explainFeatures(model, pgd.adversarial, explainOptionsOf({ explainOptions }));
    const { detector } = await trainDetector([...clean.features, ...adv.features], [...clean.features.map(() => 0), ...adv.features.map(() => 1)], {
      explainOptions, imageSize: 8, featureNames: ['logitBefore', 'logitAfter', 'logitFirst', 'logitPerturbed', 'finalLoss', 'maskMean'], steps: 200, lr: 0.1,
    });
    const x = seededTensor([6, 3, 8, 8], 32, 0.05, 0.95);
    const plain = await adaptiveAttack(model, detector, x, { eps, steps: 20, refresh: 5, detectorWeight: 0 });
    const aware = await adaptiveAttack(model, detector, x, { eps, steps: 20, refresh: 5, detectorWeight: 5 });
    expect(aware.explanations).toBe(6 * 5); // steps 0, 5, 10, 15, 20
    const [a, b] = [await aware.adversarial.data(), await x.data()];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(eps + 1e-6);
    const fresh = detectorScores(detector, (await explainFeatures(model, aware.adversarial, explainOptionsOf(detector))).features);
    fresh.forEach((v, k) => expect(v).toBeCloseTo(aware.scores[k], 5));
    const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
    expect(mean(aware.scores)).toBeLessThan(mean(plain.scores));
    await expect(adaptiveAttack(model, detector, seededTensor([1, 3, 4, 4], 1, 0, 1), { eps })).rejects.toThrow(/8 px/);
  });
});
