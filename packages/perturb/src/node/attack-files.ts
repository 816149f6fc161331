/**
 * Node edge of the attacks: attack an image file, write the adversarial
 * PNG, and check — by actually encoding and decoding the PNG — whether the
 * attack survives the 8-bit round trip.
 */
import { decodeImage, encodePng, NonFiniteError, readImageFile, type ImageClassifier } from '@maskgrad/models/node';
import { noGrad, type Tensor } from '@maskgrad/autograd';
import { attack, type AttackOptions } from '../attack.js';
import { adaptiveAttack } from '../detect/adaptive.js';
import { detectAdversarial, type Detector } from '../detect/detector.js';
import { planarToRgb8 } from '../render.js';
import { writeFolder } from './write-folder.js';

export interface Prediction { index: number; label: string; probability: number }

export interface AttackReport {
  image: string;
  method: 'fgsm' | 'pgd';
  eps: number;
  steps: number;
  stepSize: number;
  target: number | null;
  clean: Prediction;
  adversarial: Prediction;
  /** The adversarial image as written to adversarial.png and read back. */
  afterPngRoundTrip: Prediction;
  /** Untargeted: the label changed; targeted: the label is the target. */
  succeeded: boolean;
  succeededAfterPngRoundTrip: boolean;
  linfDistance: number;
  linfDistanceAfterPngRoundTrip: number;
  /** With a detector (the adaptive attack): its verdict on the image as saved, and how the attack ran. */
  adaptive?: {
    detectorScore: number; threshold: number; detected: boolean; undetectedAndSucceeded: boolean;
    refresh: number; detectorWeight: number; explanations: number; method: string;
  };
}

/** The adaptive attack's settings: the detector it evades, and BPDA's refresh and weight. */
export interface AdaptiveAttackFileOptions { detector: Detector; refresh?: number; detectorWeight?: number }

async function top1(model: ImageClassifier, pixels: Tensor, what: string): Promise<Prediction> {
  const p = await noGrad(() => model.forward(model.normalize(pixels)).softmax(-1)).data();
  const bad = p.find((v) => !Number.isFinite(v));
  if (bad !== undefined) {
    throw new NonFiniteError(
      { what: `a class probability of ${what}`, value: bad, hint: 'The weights overflow float32 on this input (finite weights whose activations are not).', checkWeights: true },
      { checkpoint: model.source },
    );
  }
  const index = p.indexOf(Math.max(...p));
  return { index, label: model.labels[index], probability: p[index] };
}

const linf = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Attack one image file and write adversarial.png, clean.png and result.json into `outFolder`. */
export async function attackImage(
  imagePath: string, model: ImageClassifier, outFolder: string, options: AttackOptions, adaptive?: AdaptiveAttackFileOptions,
): Promise<AttackReport> {
  const x = model.pixels(model.prepare(readImageFile(imagePath)).image);
  const clean = await top1(model, x, `the clean image ${imagePath}`); // before attacking a model that cannot answer
  const steps = options.steps ?? (adaptive ? 50 : undefined);
  let explanations = 0;
  const r = adaptive
    ? await adaptiveAttack(model, adaptive.detector, x, { ...adaptive, eps: options.eps, steps, stepSize: options.stepSize }).then((a) => {
      explanations = a.explanations;
      return { adversarial: a.adversarial, targets: null, losses: new Array<number>(steps!).fill(NaN) };
    })
    : await attack(model, x, options);
  const side = x.shape[2];
  const [advValues, cleanValues] = await Promise.all([r.adversarial.data(), x.data()]);
  const advRgb = planarToRgb8(advValues, side, side);
  const png = encodePng(side, side, advRgb.data, 3);
  const roundTrip = model.pixels(decodeImage(png, 'adversarial.png'));
  const roundTripValues = await roundTrip.data();
  const adversarial = await top1(model, r.adversarial, 'the adversarial image');
  const after = await top1(model, roundTrip, 'the adversarial image after the PNG round trip');
  const target = r.targets ? r.targets[0] : null;
  const success = (p: Prediction) => (target === null ? p.index !== clean.index : p.index === target);
  const report: AttackReport = {
    image: imagePath,
    method: options.method ?? 'pgd',
    eps: options.eps,
    steps: r.losses.length,
    stepSize: options.stepSize ?? (adaptive ? (2.5 * options.eps) / steps! : (options.method ?? 'pgd') === 'fgsm' ? options.eps : options.eps / 4),
    target,
    clean,
    adversarial,
    afterPngRoundTrip: after,
    succeeded: success(adversarial),
    succeededAfterPngRoundTrip: success(after),
    linfDistance: linf(advValues, cleanValues),
    linfDistanceAfterPngRoundTrip: linf(roundTripValues, cleanValues),
  };
  if (adaptive) {
    // the detector's verdict on what a user gets: the PNG as read back, explained afresh
    const [d] = await detectAdversarial(adaptive.detector, model, roundTrip);
    report.adaptive = {
      detectorScore: d.score, threshold: adaptive.detector.threshold, detected: d.adversarial, undetectedAndSucceeded: !d.adversarial && report.succeededAfterPngRoundTrip,
      refresh: adaptive.refresh ?? 10, detectorWeight: adaptive.detectorWeight ?? 1, explanations,
      method: 'PGD on margin + λ·detector logit, BPDA: masks held fixed between explanations',
    };
  }
  const cleanRgb = planarToRgb8(cleanValues, side, side);
  writeFolder(outFolder, {
    'adversarial.png': png,
    'clean.png': encodePng(side, side, cleanRgb.data, 3),
    'result.json': JSON.stringify(report, null, 2),
  });
  return report;
}
