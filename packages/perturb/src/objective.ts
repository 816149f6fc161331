/**
 * The meaningful-perturbation objective (Fong & Vedaldi, ICCV 2017, eq. 3
 * and 4), built as an autograd graph on top of the model, for a batch of
 * images with one mask each (the terms separate per image):
 *
 *   M = bilinear_upsample(m) (+ N(0, σn²) noise)
 *   Φ(x; M) = x·M + P·(1 − M)            in [0, 1] pixel space
 *   deletion:      l1·mean|1 − m| + tv·TV_β(m) + f_c(Φ)
 *   preservation:  l1·mean|m|     + tv·TV_β(m) − f_c(Φ)
 *   TV_β(m) = mean |m[i+1,j] − m[i,j]|^β + mean |m[i,j+1] − m[i,j]|^β
 */
import { lerp, randn, resizeBilinear, tensor, type Tensor } from '@maskgrad/autograd';
import type { Game } from './options.js';

/** What perturb needs of a model: normalized input → logits, and the normalization. */
export interface Classifier {
  readonly labels: readonly string[];
  forward(x: Tensor): Tensor;
  normalize(pixels: Tensor): Tensor;
}

/** Mean over all but the first axis: one value per image. */
export function meanPerImage(t: Tensor): Tensor {
  return t.mean(t.shape.map((_, i) => i).slice(1));
}

/** l1 sparsity term per image: mean |1 − m| (deletion) or mean |m| (preservation). */
export function l1Term(m: Tensor, game: Game): Tensor {
  return meanPerImage(game === 'deletion' ? m.neg().add(1).abs() : m.abs());
}

/** TV_β per image for masks [N, 1, h, w]. */
export function tvTerm(m: Tensor, beta: number): Tensor {
  const [, , h, w] = m.shape;
  const dv = m.slice(2, 1, h).sub(m.slice(2, 0, h - 1));
  const dh = m.slice(3, 1, w).sub(m.slice(3, 0, w - 1));
  return meanPerImage(dv.abs().pow(beta)).add(meanPerImage(dh.abs().pow(beta)));
}

/** Φ(x; M) = x·M + P·(1 − M) = P + (x − P)·M: one kernel (lerp), and one more for dM. */
export function composite(x: Tensor, baseline: Tensor, upsampledMask: Tensor): Tensor {
  return lerp(baseline, x, upsampledMask);
}

/** Shift [N, C, H, W] by (dy, dx) pixels, filling the border by reflection (the paper's jitter). */
export function shift(x: Tensor, dy: number, dx: number, maxShift: number): Tensor {
  if (dy === 0 && dx === 0) return x;
  const [, , h, w] = x.shape;
  const p = maxShift;
  const padded = x.pad([[p, p], [p, p]], 'reflect');
  return padded.slice(2, p - dy, p - dy + h).slice(3, p - dx, p - dx + w);
}

/** softmax(logits)[n, target[n]] → [N]. */
export function targetProbability(logits: Tensor, targets: readonly number[]): Tensor {
  return logits.softmax(-1).mul(oneHot(targets, logits.shape[1], logits.backend)).sum(-1);
}

/** One-hot rows [K, C] of the targets. */
export function oneHot(targets: readonly number[], classes: number, backend: Tensor['backend']): Tensor {
  const data = new Float32Array(targets.length * classes);
  targets.forEach((t, k) => (data[k * classes + t] = 1));
  return tensor(data, [targets.length, classes], { backend });
}

export interface ObjectiveInputs {
  model: Classifier;
  /** Images [N, 3, H, W] in [0, 1]. */
  x: Tensor;
  /** The perturbation P, same shape as x. */
  baseline: Tensor;
  targets: readonly number[];
  game: Game;
  l1: number;
  tv: number;
  tvBeta: number;
  maskNoise: number;
  /** Seed for this evaluation's mask noise (two consecutive seeds are used). */
  noiseSeed: number;
  jitter: { dy: number; dx: number; max: number };
}

export interface ObjectiveValue {
  /** Σ over images (what backward differentiates). */
  total: Tensor;
  /** Per-image loss [N] and target probability [N]. */
  loss: Tensor;
  probability: Tensor;
  /** Per-image weighted regularizers [N]: l1 · mean|m| (or |1 − m|) and tv · TV_β(m). */
  area: Tensor;
  smoothness: Tensor;
}

/** Build the objective's graph for the mask m [N, 1, h, w]. */
export function objective(m: Tensor, o: ObjectiveInputs): ObjectiveValue {
  const [n, , hh, ww] = o.x.shape;
  let up = resizeBilinear(m, hh, ww);
  if (o.maskNoise > 0) up = up.add(randn([n, 1, hh, ww], { seed: o.noiseSeed, std: o.maskNoise, backend: m.backend }));
  const phi = shift(composite(o.x, o.baseline, up), o.jitter.dy, o.jitter.dx, o.jitter.max);
  const p = targetProbability(o.model.forward(o.model.normalize(phi)), o.targets);
  const area = l1Term(m, o.game).mul(o.l1);
  const smoothness = tvTerm(m, o.tvBeta).mul(o.tv);
  const reg = area.add(smoothness);
  const loss = o.game === 'deletion' ? reg.add(p) : reg.sub(p);
  return { total: loss.sum(), loss, probability: p, area, smoothness };
}
