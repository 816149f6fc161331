/**
 * The adversarial-image detector: a logistic regression on the features of
 * an image's explanation (features.ts), and its JSON file (detector.json in a
 * model folder). The file stores everything a score depends on: the feature
 * names, the standardization, the weights, the threshold, and the explain
 * options resolved in full when it was trained, so that a later change of the
 * explainer's defaults cannot silently change what the detector sees.
 */
import { formatFileError } from '@maskgrad/models';
import type { Tensor } from '@maskgrad/autograd';
import type { Classifier } from '../objective.js';
import { resolveMeaningful, type ExplainOptions, type ResolvedMeaningfulOptions } from '../options.js';
import { explainFeatures, FEATURE_NAMES, type Features } from './features.js';
import { fitLogistic, fitStandardizer, logisticProbabilities, standardize, type LogisticOptions } from './logistic.js';
import { thresholdAtFalsePositiveRate, youdenThreshold } from './roc.js';

export const DETECTOR_FORMAT = 'maskgrad-adversarial-detector';
/** 2: the threshold is calibrated to a stated false-positive rate on clean images (`calibration`). */
export const DETECTOR_VERSION = 2;

/** How the threshold was set: the clean false-alarm rate it was chosen for, on which images. */
export interface Calibration {
  /** The stated rate: the threshold flags at most this share of the calibration images. */
  falsePositiveRate: number;
  /** The share it flags there (≤ the stated rate; lower when scores tie). */
  measuredFalsePositiveRate: number;
  /** How many clean images, and which (generator, seed, count, model): for people. */
  images: number;
  data: string;
}

export interface Detector {
  format: typeof DETECTOR_FORMAT;
  version: typeof DETECTOR_VERSION;
  /** The model input side the explain options were resolved for. */
  imageSize: number;
  /** Every option of the explanation (a meaningful perturbation), as resolved at training time. */
  explainOptions: ResolvedMeaningfulOptions;
  featureNames: string[];
  means: number[];
  stds: number[];
  weights: number[];
  bias: number;
  /** Scores (probability of adversarial) ≥ threshold are called adversarial. */
  threshold: number;
  /** How the threshold was calibrated; null: not calibrated (a version-1 file's Youden threshold on training data). */
  calibration: Calibration | null;
  /** How it was trained (data, attack, sizes, measured AUCs): free-form, for people. */
  training: Record<string, unknown>;
}

export interface DetectorErrorDetails {
  file?: string;
  key?: string;
  expected?: string;
  found?: string;
  hint?: string;
}

/** A detector file or object that cannot be used: the file, the key, expected, found, what to do. */
export class DetectorError extends Error {
  override readonly name = 'DetectorError';
  constructor(readonly details: DetectorErrorDetails) {
    super(formatFileError(details));
  }
}

/**
 * The ExplainOptions that reproduce a detector's resolved options. Its
 * features are those of a meaningful perturbation (files from before there
 * were two methods do not say so).
 */
export function explainOptionsOf(d: Pick<Detector, 'explainOptions'>): ExplainOptions {
  const { constantColor, ...rest } = d.explainOptions;
  const o: ExplainOptions = { ...rest, method: 'meaningful' };
  return constantColor === null ? o : { ...o, constantColor };
}

const isNumberArray = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Check a parsed detector.json; `file` names it in errors. */
export function validateDetector(doc: unknown, file = 'detector.json'): Detector {
  const hint = 'Train a new one: npm run eval:adversarial -- --model <dir> --save';
  const fail = (key: string, expected: string, found: unknown): never => {
    const shown = found === undefined ? 'missing' : JSON.stringify(found)?.slice(0, 80) ?? String(found);
    throw new DetectorError({ file, key, expected, found: shown, hint });
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('', 'a JSON object', doc);
  const d = doc as Record<string, unknown>;
  if (d.format !== DETECTOR_FORMAT) fail('format', `"${DETECTOR_FORMAT}"`, d.format);
  // version 1 had no calibration: its threshold (Youden J on the training scores) is read as uncalibrated
  if (d.version !== DETECTOR_VERSION && d.version !== 1) fail('version', `${DETECTOR_VERSION} (or 1, read as uncalibrated)`, d.version);
  if (!(Number.isInteger(d.imageSize) && (d.imageSize as number) >= 2)) fail('imageSize', 'a whole number ≥ 2', d.imageSize);
  const names = d.featureNames;
  if (!(Array.isArray(names) && names.length > 0 && names.every((n) => typeof n === 'string'))) fail('featureNames', 'a non-empty array of feature names', names);
  const featureNames = names as string[];
  for (const name of featureNames) if (!FEATURE_NAMES.includes(name)) fail('featureNames', `names from ${FEATURE_NAMES.slice(0, 5).join(', ')}, …`, name);
  const n = featureNames.length;
  for (const key of ['means', 'stds', 'weights'] as const) if (!isNumberArray(d[key], n)) fail(key, `${n} finite numbers (one per feature)`, d[key]);
  if ((d.stds as number[]).some((s) => !(s > 0))) fail('stds', 'positive numbers', d.stds);
  if (!(typeof d.bias === 'number' && Number.isFinite(d.bias))) fail('bias', 'a finite number', d.bias);
  if (!(typeof d.threshold === 'number' && d.threshold >= 0 && d.threshold <= 1)) fail('threshold', 'a number in [0, 1]', d.threshold);
  const opts = d.explainOptions;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) fail('explainOptions', 'an object of resolved explain options', opts);
  // every option must be stored: a missing one would silently take today's default
  const side = d.imageSize as number;
  const stored = opts as Record<string, unknown>;
  for (const key of Object.keys(resolveMeaningful({}, side))) {
    if (key !== 'method' && !(key in stored)) fail(`explainOptions.${key}`, 'a value (every explain option is stored)', undefined);
  }
  let resolved: ResolvedMeaningfulOptions;
  try {
    resolved = resolveMeaningful(explainOptionsOf({ explainOptions: stored as unknown as ResolvedMeaningfulOptions }), side);
  } catch (e) {
    throw new DetectorError({ file, key: 'explainOptions', expected: 'valid explain options', found: (e as Error).message, hint });
  }
  const calibration = d.version === 1 ? null : validateCalibration(d.calibration, fail);
  const training = d.training ?? {};
  if (typeof training !== 'object' || training === null || Array.isArray(training)) fail('training', 'an object', training);
  return {
    format: DETECTOR_FORMAT, version: DETECTOR_VERSION, imageSize: side, explainOptions: resolved!, featureNames,
    means: d.means as number[], stds: d.stds as number[], weights: d.weights as number[], bias: d.bias as number,
    threshold: d.threshold as number, calibration, training: training as Record<string, unknown>,
  };
}

function validateCalibration(c: unknown, fail: (key: string, expected: string, found: unknown) => never): Calibration | null {
  if (c === null) return null;
  if (typeof c !== 'object' || c === undefined || Array.isArray(c)) return fail('calibration', 'an object (or null: uncalibrated)', c);
  const o = c as Record<string, unknown>;
  const isRate = (v: unknown) => typeof v === 'number' && v >= 0 && v < 1;
  if (!isRate(o.falsePositiveRate)) fail('calibration.falsePositiveRate', 'a rate in [0, 1), e.g. 0.05', o.falsePositiveRate);
  if (!isRate(o.measuredFalsePositiveRate)) fail('calibration.measuredFalsePositiveRate', 'a rate in [0, 1)', o.measuredFalsePositiveRate);
  if (!(Number.isInteger(o.images) && (o.images as number) >= 1)) fail('calibration.images', 'a whole number ≥ 1', o.images);
  if (typeof o.data !== 'string') fail('calibration.data', 'a description of the clean images', o.data);
  return { falsePositiveRate: o.falsePositiveRate as number, measuredFalsePositiveRate: o.measuredFalsePositiveRate as number, images: o.images as number, data: o.data as string };
}

/** One line for people: what the threshold promises. */
export function describeCalibration(d: Pick<Detector, 'calibration'>): string {
  const c = d.calibration;
  if (c === null) return 'threshold not calibrated (a version-1 detector: Youden J on its training data); re-train it to calibrate: npm run eval:adversarial -- --model <dir> --save';
  return `threshold set for ${(100 * c.falsePositiveRate).toFixed(1)}% false alarms on ${c.images} clean calibration images (${c.data}; ${(100 * c.measuredFalsePositiveRate).toFixed(1)}% flagged there)`;
}

/** Parse and check the text of a detector.json. */
export function parseDetector(text: string, file = 'detector.json'): Detector {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DetectorError({ file, expected: 'JSON', found: `unreadable JSON (${(e as Error).message})`, hint: 'Train a new one: npm run eval:adversarial -- --model <dir> --save' });
  }
  return validateDetector(doc, file);
}

/** detector.json's text. */
export function serializeDetector(d: Detector): string {
  return `${JSON.stringify(validateDetector(d, '<detector>'), null, 2)}\n`;
}

/** Probability of adversarial for each image's features. */
export function detectorScores(d: Pick<Detector, 'featureNames' | 'means' | 'stds' | 'weights' | 'bias'>, features: readonly Features[]): number[] {
  const rows = features.map((f) => d.featureNames.map((name) => {
    const v = f[name];
    if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`detectorScores(): feature ${name} is missing`);
    return v;
  }));
  return logisticProbabilities(standardize(rows, d), d.weights, d.bias);
}

export interface TrainDetectorOptions extends LogisticOptions {
  /**
   * Set the threshold on these clean images' features (kept out of training) at this false-positive
   * rate. Without it the threshold is the best Youden J on the training scores, and uncalibrated.
   */
  calibration?: { features: readonly Features[]; falsePositiveRate: number; data: string };
  /** The options every explanation was made with (resolved). */
  explainOptions: ResolvedMeaningfulOptions;
  imageSize: number;
  /** Default: all of FEATURE_NAMES. */
  featureNames?: readonly string[];
  training?: Record<string, unknown>;
}

/**
 * Standardize, fit the logistic regression (labels 1 = adversarial), and set
 * the threshold: at the stated false-positive rate on the calibration images
 * when given, else at the training scores' best Youden J (0.5 if none beats chance).
 */
export async function trainDetector(features: readonly Features[], labels: readonly number[], o: TrainDetectorOptions): Promise<{ detector: Detector; losses: number[] }> {
  const featureNames = [...(o.featureNames ?? FEATURE_NAMES)];
  const rows = features.map((f) => featureNames.map((name) => f[name]));
  const standardizer = fitStandardizer(rows);
  const fit = await fitLogistic(standardize(rows, standardizer), labels, o);
  const partial = { featureNames, ...standardizer, weights: fit.weights, bias: fit.bias };
  const scores = logisticProbabilities(standardize(rows, standardizer), fit.weights, fit.bias);
  let threshold: number;
  let calibration: Calibration | null = null;
  if (o.calibration) {
    const c = o.calibration;
    const cleanScores = detectorScores(partial, c.features);
    const t = thresholdAtFalsePositiveRate(cleanScores, c.falsePositiveRate);
    threshold = t.threshold;
    calibration = { falsePositiveRate: c.falsePositiveRate, measuredFalsePositiveRate: t.falsePositiveRate, images: cleanScores.length, data: c.data };
  } else {
    const best = youdenThreshold(scores, labels);
    threshold = Number.isFinite(best.threshold) ? best.threshold : 0.5;
  }
  const detector: Detector = {
    format: DETECTOR_FORMAT, version: DETECTOR_VERSION, imageSize: o.imageSize, explainOptions: o.explainOptions,
    ...partial, threshold, calibration, training: o.training ?? {},
  };
  return { detector: validateDetector(detector, '<trained detector>'), losses: fit.losses };
}

export interface Detection {
  /** Probability that the image is adversarial. */
  score: number;
  adversarial: boolean;
  /** The model's prediction (the class the explanation was made for). */
  index: number;
  label: string;
  probability: number;
  features: Features;
}

export interface DetectOptions {
  /** Images explained together (default 16; the masks do not depend on it). */
  batchSize?: number;
  /** The explainer's per-iteration progress, batch by batch. */
  onProgress?: ExplainOptions['onProgress'];
}

/** Explain images [N, 3, S, S] (pixels in [0, 1]) with the detector's own options and score them. */
export async function detectAdversarial(d: Detector, model: Classifier, x: Tensor, options: DetectOptions = {}): Promise<Detection[]> {
  if (x.shape[2] !== d.imageSize || x.shape[3] !== d.imageSize) {
    throw new DetectorError({ key: 'imageSize', expected: `images of the detector's ${d.imageSize} px`, found: `${x.shape[3]}×${x.shape[2]}` });
  }
  const { results, features } = await explainFeatures(model, x, { ...explainOptionsOf(d), onProgress: options.onProgress }, options.batchSize ?? 16);
  const scores = detectorScores(d, features);
  return results.map((r, i) => ({
    score: scores[i], adversarial: scores[i] >= d.threshold, index: r.target, label: r.label, probability: r.probabilityBefore, features: features[i],
  }));
}
