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
import { youdenThreshold } from './roc.js';

export const DETECTOR_FORMAT = 'maskgrad-adversarial-detector';
export const DETECTOR_VERSION = 1;

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
  if (d.version !== DETECTOR_VERSION) fail('version', String(DETECTOR_VERSION), d.version);
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
  const training = d.training ?? {};
  if (typeof training !== 'object' || training === null || Array.isArray(training)) fail('training', 'an object', training);
  return {
    format: DETECTOR_FORMAT, version: DETECTOR_VERSION, imageSize: side, explainOptions: resolved!, featureNames,
    means: d.means as number[], stds: d.stds as number[], weights: d.weights as number[], bias: d.bias as number,
    threshold: d.threshold as number, training: training as Record<string, unknown>,
  };
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
export function detectorScores(d: Detector, features: readonly Features[]): number[] {
  const rows = features.map((f) => d.featureNames.map((name) => {
    const v = f[name];
    if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`detectorScores(): feature ${name} is missing`);
    return v;
  }));
  return logisticProbabilities(standardize(rows, d), d.weights, d.bias);
}

export interface TrainDetectorOptions extends LogisticOptions {
  /** The options every explanation was made with (resolved). */
  explainOptions: ResolvedMeaningfulOptions;
  imageSize: number;
  /** Default: all of FEATURE_NAMES. */
  featureNames?: readonly string[];
  training?: Record<string, unknown>;
}

/**
 * Standardize, fit the logistic regression (labels 1 = adversarial), and set
 * the threshold at the training scores' best Youden J (0.5 if none beats chance).
 */
export async function trainDetector(features: readonly Features[], labels: readonly number[], o: TrainDetectorOptions): Promise<{ detector: Detector; losses: number[] }> {
  const featureNames = [...(o.featureNames ?? FEATURE_NAMES)];
  const rows = features.map((f) => featureNames.map((name) => f[name]));
  const standardizer = fitStandardizer(rows);
  const fit = await fitLogistic(standardize(rows, standardizer), labels, o);
  const partial = { featureNames, ...standardizer, weights: fit.weights, bias: fit.bias };
  const scores = logisticProbabilities(standardize(rows, standardizer), fit.weights, fit.bias);
  const best = youdenThreshold(scores, labels);
  const detector: Detector = {
    format: DETECTOR_FORMAT, version: DETECTOR_VERSION, imageSize: o.imageSize, explainOptions: o.explainOptions,
    ...partial, threshold: Number.isFinite(best.threshold) ? best.threshold : 0.5, training: o.training ?? {},
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
