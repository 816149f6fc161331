/**
 * evaluate(): every saliency method on images with known object boxes,
 * scored by ./metrics.ts. Per chunk of `batchSize` images: the target class
 * (the model's top class unless given), one saliency map per method (each
 * perturbation method as one explainBatch over the chunk, with its shipped
 * defaults unless `extremalOptions` / `explainOptions` say otherwise), then
 * every deletion and insertion step of every map through the model,
 * `forwardBatch` images per pass.
 */
import { noGrad, type Tensor } from '@maskgrad/autograd';
import type { RgbImage } from '@maskgrad/models';
import { attentionRollout, hasAttention } from '../baselines/rollout.js';
import { gradientSaliency } from '../baselines/gradient.js';
import { occlusionSaliency, type OcclusionOptions } from '../baselines/occlusion.js';
import { perturbationSaliency, regionOfExplanation } from '../baselines/perturbation.js';
import type { ExplainResult } from '../result.js';
import { riseSaliency, type RiseOptions } from '../baselines/rise.js';
import { maskedProbabilities } from '../baselines/saliency.js';
import { gaussianBlur } from '../blur.js';
import type { Classifier } from '../objective.js';
import { OptionError, resolveOptions, type ExplainOptions } from '../options.js';
import {
  areaAboveHalf, borderShare, centerOfMass, curveMask, energyInBox, insideBox, meanValue, peakPoint, readable, readerRegion, salienceOrder, stepCounts, trapezoidAuc,
  type Box, type CurveKind, type Point,
} from './metrics.js';

export const METHODS = ['extremal', 'meaningful', 'gradient', 'occlusion', 'rollout', 'rise'] as const;
export type MethodName = (typeof METHODS)[number];
/** RISE needs hundreds of forward passes per image: ask for it by name. */
export const DEFAULT_METHODS: readonly MethodName[] = ['extremal', 'meaningful', 'gradient', 'occlusion', 'rollout'];
/** The methods whose map is a mask in [0, 1] made by perturbing the image. */
export const PERTURBATION_METHODS: readonly MethodName[] = ['extremal', 'meaningful'];

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
  /** The meaningful perturbation's options; {} = its shipped defaults. */
  explainOptions?: Omit<ExplainOptions, 'target' | 'onProgress' | 'method'>;
  /** The extremal perturbation's options; {} = its shipped defaults. */
  extremalOptions?: Omit<ExplainOptions, 'target' | 'onProgress' | 'method'>;
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
  /** perturbation methods: the mean of the mask a reader is shown (extremal: the reported one); other methods: areaAboveHalf. */
  meanArea: number;
  /** Share of the map's mass inside the box. */
  energy: number;
  /** The region a reader sees (≥ 0.5): its coverage of the box, its share inside the box, and whether both pass (1/0). */
  readerCoverage: number;
  readerPrecision: number;
  readable: number;
  /** perturbation methods: whether the fully perturbed image loses the class (p < ½·p(x)), 1/0; null for the others. */
  erases: number | null;
  /** Share of the map's mass within σ of the image border (σ: the extremal mask's smoothing): borderShare. */
  border: number;
  /** extremal: whether the area sweep still falls by more than SWEEP_TOLERANCE somewhere (1/0; the summary counts images); null for the others. */
  sweepFalls: number | null;
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
  /** The share of the image in the region a reader sees. */
  readerArea: number;
  deletionCurve: number[];
  insertionCurve: number[];
}

export interface ImageRecord {
  index: number;
  target: number;
  label: string;
  /** Target probability of the clean image and of the curves' blurred image. */
  probability: number;
  baselineProbability: number;
  /** Per perturbation method: the target probability of its fully perturbed image. */
  perturbedProbability: Partial<Record<MethodName, number>>;
  /** In model-input pixels. */
  box: Box;
  methods: Partial<Record<MethodName, MethodRecord>>;
  /** extremal: where its area sweep still falls, and why (ExplainResult.sweep's notes). */
  sweep?: string[];
}

export interface EvalResult {
  methods: Partial<Record<MethodName, MethodSummary>>;
  images: ImageRecord[];
  settings: {
    images: number; imageSize: number; steps: number; fractions: number[]; curveBlurSigma: number;
    explainOptions: ReturnType<typeof resolveOptions>; extremalOptions: ReturnType<typeof resolveOptions>;
  };
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
  const optionsOf: Record<string, ExplainOptions> = {
    meaningful: { ...options.explainOptions, method: 'meaningful' },
    extremal: { ...options.extremalOptions, method: 'extremal' },
  };
  const resolved = resolveOptions(optionsOf.meaningful, side);
  const resolvedExtremal = resolveOptions(optionsOf.extremal, side);
  const steps = options.steps ?? 16;
  const curveBlurSigma = options.curveBlurSigma ?? (CURVE_BLUR_AT224 * side) / 224;
  resolveOptions({ method: 'meaningful', blurSigma: curveBlurSigma }, side); // the same range check as the explanation's blur
  const counts = stepCounts(side * side, steps);
  const borderMargin = resolvedExtremal.method === 'extremal' ? resolvedExtremal.maskSigma : 0;
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
    const perturbed: Partial<Record<MethodName, number[]>> = {};
    const regions: Partial<Record<MethodName, Float32Array[]>> = {};
    let notes: string[][] = [];
    for (const m of methods) {
      const t = now();
      const onResults = (rs: ExplainResult[]) => {
        perturbed[m] = rs.map((r) => r.probabilityPerturbed);
        regions[m] = rs.map(regionOfExplanation);
        if (m === 'extremal') notes = rs.map((r) => (r.sweep ?? []).map((n) => n.why));
      };
      maps[m] = await saliency(m, model, x, targets, options, optionsOf[m] ?? {}, forwardBatch, onResults);
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
        perturbedProbability: Object.fromEntries(Object.entries(perturbed).map(([m, ps]) => [m, ps![k]])),
        ...(methods.includes('extremal') ? { sweep: notes[k] } : {}),
      };
      methods.forEach((m, mi) => {
        const s = maps[m]![k];
        const innerOf = (kind: number) => Array.from({ length: inner }, (_, j) => p[k * perImage + mi * 2 * inner + kind * inner + j]);
        const deletionCurve = [ends[k], ...innerOf(0), ends[n + k]];
        const insertionCurve = [ends[n + k], ...innerOf(1), ends[k]];
        const peak = peakPoint(s, side, side);
        const centroid = centerOfMass(s, side, side);
        const half = areaAboveHalf(s);
        const isMask = PERTURBATION_METHODS.includes(m);
        const shown = regions[m]?.[k] ?? s; // extremal: the reported mask, not the mean over areas
        const region = readerRegion(shown, side, side, box, isMask);
        const pP = record.perturbedProbability[m];
        record.methods[m] = {
          pointing: insideBox(peak, box) ? 1 : 0,
          pointingCentroid: insideBox(centroid, box) ? 1 : 0,
          deletionAuc: trapezoidAuc(fractions, deletionCurve),
          insertionAuc: trapezoidAuc(fractions, insertionCurve),
          meanArea: isMask ? meanValue(shown) : half,
          energy: energyInBox(s, side, side, box),
          readerCoverage: region.coverage, readerPrecision: region.precision, readable: readable(region) ? 1 : 0,
          erases: pP === undefined ? null : pP < 0.5 * ends[k] ? 1 : 0,
          border: borderShare(s, side, side, borderMargin), sweepFalls: m === 'extremal' ? Math.min(1, notes[k].length) : null,
          peak, centroid, areaAboveHalf: half, readerArea: region.area, deletionCurve, insertionCurve,
        };
      });
      records.push(record);
    }
  }

  const summary: Partial<Record<MethodName, MethodSummary>> = {};
  for (const m of methods) {
    const rs = records.map((r) => r.methods[m]!);
    const avg = (key: Exclude<keyof MethodScores, 'erases' | 'sweepFalls'>) => mean(rs.map((r) => r[key]));
    summary[m] = {
      pointing: avg('pointing'), pointingCentroid: avg('pointingCentroid'), deletionAuc: avg('deletionAuc'), insertionAuc: avg('insertionAuc'),
      meanArea: avg('meanArea'), energy: avg('energy'), readerCoverage: avg('readerCoverage'), readerPrecision: avg('readerPrecision'),
      readable: avg('readable'), erases: rs[0].erases === null ? null : mean(rs.map((r) => r.erases ?? 0)), border: avg('border'),
      sweepFalls: rs[0].sweepFalls === null ? null : rs.reduce((t, r) => t + (r.sweepFalls ?? 0), 0),
      seconds: seconds[m]!, secondsPerImage: seconds[m]! / images.length,
    };
  }
  return {
    methods: summary,
    images: records,
    settings: {
      images: images.length, imageSize: side, steps, fractions: counts.map((v) => v / (side * side)), curveBlurSigma,
      explainOptions: resolved, extremalOptions: resolvedExtremal,
    },
    seconds: { total: now() - t0, curves: curveSeconds },
  };
}

function saliency(
  m: MethodName, model: EvalModel, x: Tensor, targets: number[], o: EvaluateOptions, explainOptions: ExplainOptions, forwardBatch: number,
  onResults: (rs: ExplainResult[]) => void,
): Promise<Float32Array[]> {
  switch (m) {
    case 'extremal':
    case 'meaningful': return perturbationSaliency(model, x, targets, { ...explainOptions, onResults });
    case 'gradient': return gradientSaliency(model, x, targets);
    case 'occlusion': return occlusionSaliency(model, x, targets, { ...o.occlusion, batchSize: forwardBatch });
    case 'rollout': return attentionRollout(model, x, targets);
    case 'rise': return riseSaliency(model, x, targets, { ...o.rise, batchSize: forwardBatch });
  }
}
