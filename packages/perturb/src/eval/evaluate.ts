/**
 * evaluate(): every saliency method on images with known object boxes,
 * scored by ./metrics.ts. Per chunk of `batchSize` images: the target class
 * (the model's top class unless given), one saliency map per method (the
 * meaningful perturbation as one explainBatch over the chunk, with the
 * shipped defaults unless `explainOptions` says otherwise), then every
 * deletion and insertion step of every map through the model,
 * `forwardBatch` images per pass.
 */
import { noGrad, type Tensor } from '@maskgrad/autograd';
import type { RgbImage } from '@maskgrad/models';
import { attentionRollout, hasAttention } from '../baselines/rollout.js';
import { gradientSaliency } from '../baselines/gradient.js';
import { occlusionSaliency, type OcclusionOptions } from '../baselines/occlusion.js';
import { perturbationSaliency } from '../baselines/perturbation.js';
import { riseSaliency, type RiseOptions } from '../baselines/rise.js';
import { maskedProbabilities } from '../baselines/saliency.js';
import { gaussianBlur } from '../blur.js';
import type { Classifier } from '../objective.js';
import { OptionError, resolveOptions, type ExplainOptions } from '../options.js';
import {
  areaAboveHalf, centerOfMass, curveMask, insideBox, meanValue, peakPoint, salienceOrder, stepCounts, trapezoidAuc,
  type Box, type CurveKind, type Point,
} from './metrics.js';

export const METHODS = ['perturbation', 'gradient', 'occlusion', 'rollout', 'rise'] as const;
export type MethodName = (typeof METHODS)[number];
/** RISE needs hundreds of forward passes per image: ask for it by name. */
export const DEFAULT_METHODS: readonly MethodName[] = ['perturbation', 'gradient', 'occlusion', 'rollout'];

/** The deletion/insertion curves' blur σ at 224 px (scaled with the side): the paper's 10 px, fixed. */
export const CURVE_BLUR_AT224 = 10;

/** What evaluate needs of a model (ImageClassifier has it). */
export interface EvalModel extends Classifier {
  readonly imageSize: number;
  pixels(images: RgbImage | readonly RgbImage[]): Tensor;
  resize(pixels: Tensor): Tensor;
}

export interface EvalProgress {
  phase: 'saliency' | 'curves';
  method?: MethodName;
  /** Images finished so far (of `total`). */
  done: number;
  total: number;
  seconds: number;
}

export interface EvaluateOptions {
  methods?: readonly MethodName[];
  /** The meaningful perturbation's options; {} = the shipped defaults. */
  explainOptions?: Omit<ExplainOptions, 'target' | 'onProgress'>;
  occlusion?: Omit<OcclusionOptions, 'batchSize'>;
  rise?: Omit<RiseOptions, 'batchSize'>;
  /** Images per chunk (one explainBatch each). */
  batchSize?: number;
  /** Images per forward pass for occlusion, RISE and the deletion/insertion steps. */
  forwardBatch?: number;
  /** K: deletion/insertion steps. */
  steps?: number;
  /**
   * σ (px) of the Gaussian blur that deleted pixels become (and inserted pixels start from);
   * default Fong & Vedaldi's blur, 10 px at 224 scaled with the side (2.86 px at 64), whatever
   * explainOptions say, so scores from runs with different explanation settings stay comparable.
   */
  curveBlurSigma?: number;
  /** Class to explain per image; default the model's top class. */
  targets?: readonly number[];
  onProgress?: (p: EvalProgress) => void;
}

export interface MethodScores {
  pointing: number;
  pointingCentroid: number;
  deletionAuc: number;
  insertionAuc: number;
  /** perturbation: mean(1 − M) (deletion game) or mean(M); other methods: areaAboveHalf. */
  meanArea: number;
}

export interface MethodSummary extends MethodScores {
  /** Time spent making this method's maps, all images. */
  seconds: number;
  secondsPerImage: number;
}

export interface MethodRecord extends MethodScores {
  peak: Point;
  centroid: Point;
  areaAboveHalf: number;
  deletionCurve: number[];
  insertionCurve: number[];
}

export interface ImageRecord {
  index: number;
  target: number;
  label: string;
  /** Target probability of the clean and of the fully perturbed image. */
  probability: number;
  baselineProbability: number;
  /** In model-input pixels. */
  box: Box;
  methods: Partial<Record<MethodName, MethodRecord>>;
}

export interface EvalResult {
  methods: Partial<Record<MethodName, MethodSummary>>;
  images: ImageRecord[];
  settings: { images: number; imageSize: number; steps: number; fractions: number[]; curveBlurSigma: number; explainOptions: ReturnType<typeof resolveOptions> };
  seconds: { total: number; curves: number };
}

/** A box given for an image of width×height, in the model's side×side input. */
export function scaleBox(box: Box, width: number, height: number, side: number): Box {
  if (width === side && height === side) return { ...box };
  const sx = side / width, sy = side / height;
  return { x0: Math.floor(box.x0 * sx), y0: Math.floor(box.y0 * sy), x1: Math.ceil((box.x1 + 1) * sx) - 1, y1: Math.ceil((box.y1 + 1) * sy) - 1 };
}

const now = () => performance.now() / 1000;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export async function evaluate(model: EvalModel, images: readonly RgbImage[], boxes: readonly Box[], options: EvaluateOptions = {}): Promise<EvalResult> {
  const t0 = now();
  const methods = options.methods ?? DEFAULT_METHODS;
  for (const m of methods) if (!METHODS.includes(m)) throw new OptionError('methods', m, `one of ${METHODS.join(', ')}`);
  if (methods.length === 0) throw new OptionError('methods', [], `at least one of ${METHODS.join(', ')}`);
  if (methods.includes('rollout') && !hasAttention(model)) throw new OptionError('methods', 'rollout', 'a ViT model whose blocks record attention, or leave rollout out');
  if (images.length === 0 || images.length !== boxes.length) throw new OptionError('boxes', `${boxes.length} boxes for ${images.length} images`, 'one box per image, at least one image');
  if (options.targets && options.targets.length !== images.length) throw new OptionError('targets', options.targets.length, `one target per image (${images.length})`);
  const side = model.imageSize;
  const explainOptions = options.explainOptions ?? {};
  const resolved = resolveOptions(explainOptions, side);
  const steps = options.steps ?? 16;
  const curveBlurSigma = options.curveBlurSigma ?? (CURVE_BLUR_AT224 * side) / 224;
  resolveOptions({ blurSigma: curveBlurSigma }, side); // the same range check as the explanation's blur
  const counts = stepCounts(side * side, steps);
  const batchSize = options.batchSize ?? 8;
  const forwardBatch = options.forwardBatch ?? 32;
  const seconds: Partial<Record<MethodName, number>> = {};
  const records: ImageRecord[] = [];
  let curveSeconds = 0;

  for (let start = 0; start < images.length; start += batchSize) {
    const chunk = images.slice(start, start + batchSize);
    const n = chunk.length;
    const px = chunk.map((im) => model.resize(model.pixels(im)));
    const x = n === 1 ? px[0] : px[0].concat(px.slice(1), 0);
    const baseline = gaussianBlur(x, curveBlurSigma);

    // targets, and the curves' shared end points: clean and fully perturbed
    const probs = await noGrad(() => model.forward(model.normalize(x)).softmax(-1)).data();
    const c = model.labels.length;
    const targets = Array.from({ length: n }, (_, k) => {
      const given = options.targets?.[start + k];
      if (given !== undefined) return given;
      const row = probs.subarray(k * c, (k + 1) * c);
      return row.indexOf(Math.max(...row));
    });
    // sample i < n: image i kept whole (mask 1); i ≥ n: image i − n fully perturbed (mask 0)
    const ends = await maskedProbabilities(model, x, baseline, 2 * n, (i, mask) => {
      mask.fill(i < n ? 1 : 0);
      return i % n;
    }, (i) => targets[i % n], forwardBatch);

    const maps: Partial<Record<MethodName, Float32Array[]>> = {};
    for (const m of methods) {
      const t = now();
      maps[m] = await saliency(m, model, x, targets, options, explainOptions, forwardBatch);
      seconds[m] = (seconds[m] ?? 0) + now() - t;
      options.onProgress?.({ phase: 'saliency', method: m, done: start + n, total: images.length, seconds: now() - t0 });
    }

    // every inner step (1 … K−1) of every curve, made on demand
    const tc = now();
    const kinds: CurveKind[] = ['deletion', 'insertion'];
    const orders = methods.map((m) => maps[m]!.map((s) => salienceOrder(s)));
    const inner = steps - 1;
    const perImage = methods.length * 2 * inner;
    const decode = (i: number) => {
      const k = Math.floor(i / perImage);
      let r = i % perImage;
      const mi = Math.floor(r / (2 * inner));
      r %= 2 * inner;
      return { k, mi, kind: kinds[Math.floor(r / inner)], step: (r % inner) + 1 };
    };
    const p = await maskedProbabilities(model, x, baseline, n * perImage, (i, mask) => {
      const { k, mi, kind, step } = decode(i);
      curveMask(mask, orders[mi][k], counts[step], kind);
      return k;
    }, (i) => targets[decode(i).k], forwardBatch);
    curveSeconds += now() - tc;
    options.onProgress?.({ phase: 'curves', done: start + n, total: images.length, seconds: now() - t0 });

    const fractions = counts.map((v) => v / (side * side));
    for (let k = 0; k < n; k++) {
      const index = start + k;
      const img = chunk[k];
      const box = scaleBox(boxes[index], img.width, img.height, side);
      const record: ImageRecord = {
        index, target: targets[k], label: model.labels[targets[k]], probability: ends[k], baselineProbability: ends[n + k], box, methods: {},
      };
      methods.forEach((m, mi) => {
        const s = maps[m]![k];
        const innerOf = (kind: number) => Array.from({ length: inner }, (_, j) => p[k * perImage + mi * 2 * inner + kind * inner + j]);
        const deletionCurve = [ends[k], ...innerOf(0), ends[n + k]];
        const insertionCurve = [ends[n + k], ...innerOf(1), ends[k]];
        const peak = peakPoint(s, side, side);
        const centroid = centerOfMass(s, side, side);
        const half = areaAboveHalf(s);
        record.methods[m] = {
          pointing: insideBox(peak, box) ? 1 : 0,
          pointingCentroid: insideBox(centroid, box) ? 1 : 0,
          deletionAuc: trapezoidAuc(fractions, deletionCurve),
          insertionAuc: trapezoidAuc(fractions, insertionCurve),
          meanArea: m === 'perturbation' ? meanValue(s) : half,
          peak, centroid, areaAboveHalf: half, deletionCurve, insertionCurve,
        };
      });
      records.push(record);
    }
  }

  const summary: Partial<Record<MethodName, MethodSummary>> = {};
  for (const m of methods) {
    const rs = records.map((r) => r.methods[m]!);
    const avg = (key: keyof MethodScores) => mean(rs.map((r) => r[key]));
    summary[m] = {
      pointing: avg('pointing'), pointingCentroid: avg('pointingCentroid'), deletionAuc: avg('deletionAuc'), insertionAuc: avg('insertionAuc'),
      meanArea: avg('meanArea'), seconds: seconds[m]!, secondsPerImage: seconds[m]! / images.length,
    };
  }
  return {
    methods: summary,
    images: records,
    settings: { images: images.length, imageSize: side, steps, fractions: counts.map((v) => v / (side * side)), curveBlurSigma, explainOptions: resolved },
    seconds: { total: now() - t0, curves: curveSeconds },
  };
}

function saliency(
  m: MethodName, model: EvalModel, x: Tensor, targets: number[], o: EvaluateOptions, explainOptions: EvaluateOptions['explainOptions'], forwardBatch: number,
): Promise<Float32Array[]> {
  switch (m) {
    case 'perturbation': return perturbationSaliency(model, x, targets, explainOptions);
    case 'gradient': return gradientSaliency(model, x, targets);
    case 'occlusion': return occlusionSaliency(model, x, targets, { ...o.occlusion, batchSize: forwardBatch });
    case 'rollout': return attentionRollout(model, x, targets);
    case 'rise': return riseSaliency(model, x, targets, { ...o.rise, batchSize: forwardBatch });
  }
}

const LABELS: Record<MethodName, string> = {
  perturbation: 'meaningful perturbation', gradient: 'gradient', occlusion: 'occlusion', rollout: 'attention rollout', rise: 'RISE',
};

/** One row per method: pointing, centroid pointing, deletion AUC ↓, insertion AUC ↑, mean area, seconds per image. */
export function toMarkdownTable(result: EvalResult): string {
  const f = (v: number) => v.toFixed(3);
  const rows = Object.entries(result.methods).map(([m, s]) =>
    `| ${LABELS[m as MethodName]} | ${f(s.pointing)} | ${f(s.pointingCentroid)} | ${f(s.deletionAuc)} | ${f(s.insertionAuc)} | ${f(s.meanArea)} | ${s.secondsPerImage.toFixed(2)} |`);
  return [
    '| method | pointing | pointing (centroid) | deletion AUC ↓ | insertion AUC ↑ | mean area | s / image |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
