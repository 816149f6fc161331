import { describe, expect, it } from 'vitest';
import { DEFAULTS, resolveMeaningful, resolveOptions } from '../options.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import {
  DetectorError, describeCalibration, detectAdversarial, detectorScores, explainOptionsOf, parseDetector, serializeDetector, trainDetector, validateDetector, type Detector,
} from './detector.js';
import { explainFeatures, FEATURE_NAMES, type Features } from './features.js';

const explainOptions = resolveMeaningful({ iterations: 3, maskSize: 4, blurSigma: 1 }, 8);

/** Toy features: adversarial images have larger masks and a lower blurred probability (plus noise). */
function toy(n: number): { features: Features[]; labels: number[] } {
  let s = 5;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const features = labels.map((y) => Object.fromEntries(FEATURE_NAMES.map((name) => [name, rnd()])));
  features.forEach((f, i) => {
    f.maskMean = 0.1 + 0.3 * labels[i] + 0.2 * rnd();
    f.logitPerturbed = 2 - 3 * labels[i] + rnd();
  });
  return { features, labels };
}

async function trained(): Promise<Detector> {
  const { features, labels } = toy(40);
  const { detector } = await trainDetector(features, labels, {
    explainOptions, imageSize: 8, featureNames: ['maskMean', 'logitPerturbed'], steps: 150, lr: 0.1, training: { note: 'toy' },
  });
  return detector;
}

describe('detector', () => {
  it('trains on toy features: training scores separate, and the threshold splits them', async () => {
    const d = await trained();
    const { features, labels } = toy(40);
    const scores = detectorScores(d, features);
    scores.forEach((v, i) => expect(v >= d.threshold ? 1 : 0).toBe(labels[i]));
    expect(d.weights[0]).toBeGreaterThan(0); // larger mask → adversarial
    expect(d.weights[1]).toBeLessThan(0); // lower blurred probability → adversarial
  });

  it('survives a JSON round trip: the same detector, the same scores', async () => {
    const d = await trained();
    const back = parseDetector(serializeDetector(d));
    expect(back).toEqual(d);
    const { features } = toy(6);
    expect(detectorScores(back, features)).toEqual(detectorScores(d, features));
  });

  it('stores every explain option, so changing DEFAULTS does not change what it explains with', async () => {
    const d = await trained();
    const saved = DEFAULTS.meaningful.iterations;
    try {
      DEFAULTS.meaningful.iterations = 17;
      expect(resolveOptions(explainOptionsOf(d), 8)).toEqual(explainOptions);
    } finally {
      DEFAULTS.meaningful.iterations = saved;
    }
    expect(explainOptionsOf(d)).not.toHaveProperty('constantColor');
    expect(explainOptionsOf({ explainOptions: { ...explainOptions, constantColor: [0, 0.5, 1] } }).constantColor).toEqual([0, 0.5, 1]);
  });

  it('rejects a bad file with the file, the key, what was expected and how to get a good one', async () => {
    const good = JSON.parse(serializeDetector(await trained())) as Record<string, unknown>;
    const bad = (patch: (d: Record<string, unknown>) => void) => {
      const d = structuredClone(good);
      patch(d);
      return () => validateDetector(d, 'models/x/detector.json');
    };
    expect(() => parseDetector('{ nope', 'models/x/detector.json')).toThrow(/models\/x\/detector\.json: expected JSON, found unreadable JSON/);
    expect(bad((d) => (d.format = 'other'))).toThrow(/detector\.json: format: expected "maskgrad-adversarial-detector"/);
    expect(bad((d) => (d.weights = [1]))).toThrow(/weights: expected 2 finite numbers/);
    expect(bad((d) => (d.featureNames = ['maskMean', 'colour']))).toThrow(/featureNames: .*found "colour"/);
    expect(bad((d) => (d.threshold = 1.5))).toThrow(/threshold: expected a number in \[0, 1\]/);
    expect(bad((d) => (d.stds = [1, 0]))).toThrow(/stds: expected positive numbers/);
    expect(bad((d) => delete (d.explainOptions as Record<string, unknown>).iterations)).toThrow(/explainOptions\.iterations: expected a value .*found missing/);
    expect(bad((d) => ((d.explainOptions as Record<string, unknown>).maskSize = 99))).toThrow(/explainOptions: .*maskSize/);
    expect(bad((d) => (d.weights = [1, 2]))).not.toThrow();
    try {
      bad((d) => (d.version = 9))();
    } catch (e) {
      expect(e).toBeInstanceOf(DetectorError);
      expect((e as Error).message).toContain('npm run eval:adversarial -- --model <dir> --save');
    }
    expect.assertions(11);
  });

  it('calibrates the threshold to the stated false-positive rate on held-apart clean images', async () => {
    const { features, labels } = toy(40);
    const cal = toy(80);
    const clean = cal.features.filter((_, i) => cal.labels[i] === 0); // 40 clean images
    const { detector: d } = await trainDetector(features, labels, {
      explainOptions, imageSize: 8, featureNames: ['maskMean', 'logitPerturbed'], steps: 150, lr: 0.1,
      calibration: { features: clean, falsePositiveRate: 0.05, data: 'toy, 40 clean' },
    });
    const flagged = detectorScores(d, clean).filter((s) => s >= d.threshold).length;
    expect(flagged).toBe(2); // ⌊0.05 · 40⌋, no ties among these scores
    expect(d.calibration).toEqual({ falsePositiveRate: 0.05, measuredFalsePositiveRate: 0.05, images: 40, data: 'toy, 40 clean' });
    expect(describeCalibration(d)).toMatch(/5\.0% false alarms on 40 clean calibration images \(toy, 40 clean; 5\.0% flagged there\)/);
    expect(parseDetector(serializeDetector(d))).toEqual(d);
  });

  it('reads a version-1 file as uncalibrated, and says how to calibrate it', async () => {
    const v1 = JSON.parse(serializeDetector(await trained())) as Record<string, unknown>;
    v1.version = 1;
    delete v1.calibration;
    const d = validateDetector(v1);
    expect(d.version).toBe(2);
    expect(d.calibration).toBeNull();
    expect(describeCalibration(d)).toMatch(/not calibrated .*npm run eval:adversarial -- --model <dir> --save/);
    expect(() => validateDetector({ ...v1, version: 2 }, 'x.json')).toThrow(/x\.json: calibration: expected an object \(or null: uncalibrated\), found missing/);
    expect(() => validateDetector({ ...v1, version: 2, calibration: { falsePositiveRate: 5, measuredFalsePositiveRate: 0, images: 3, data: '' } })).toThrow(/calibration\.falsePositiveRate: expected a rate/);
  });

  it('detectAdversarial explains with the stored options and scores what explainFeatures computes', async () => {
    const d = await trained();
    const model = tinyClassifier();
    const x = seededTensor([2, 3, 8, 8], 8, 0, 1);
    const detections = await detectAdversarial(d, model, x);
    const { features, results } = await explainFeatures(model, x, explainOptionsOf(d));
    expect(detections.map((r) => r.score)).toEqual(detectorScores(d, features));
    detections.forEach((r, i) => {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.adversarial).toBe(r.score >= d.threshold);
      expect(r.label).toBe(results[i].label);
    });
    await expect(detectAdversarial(d, model, seededTensor([1, 3, 4, 4], 1, 0, 1))).rejects.toThrow(/8 px/);
  });
});
