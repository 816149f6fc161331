/**
 * An adaptive attacker who knows the detector (Carlini & Wagner, AISec 2017;
 * Tramèr et al., NeurIPS 2020): L∞ PGD on
 *   max(Z_y − max_{i≠y} Z_i, −κ)  +  λ · s(x)
 * the classifier's margin for the clean label y (flip it) plus the detector's
 * logit s = w·z + b (stay below its threshold), its features z computed from
 * the explanation of x.
 *
 * The explanation is itself 40 Adam steps on the mask, each driven by a
 * gradient; differentiating the final mask with respect to x would need
 * second derivatives, which maskgrad's autograd does not record (backward
 * rules run untracked). So this is BPDA (Athalye et al., ICML 2018): every
 * `refresh` steps the image is explained afresh with the detector's own
 * options, and in between the masks are held fixed. With M fixed, the
 * probability features are differentiable in x:
 *   logitBefore    Z_c(x) − LSE_{i≠c} Z_i(x)        (= logit p_c, unclamped)
 *   logitAfter     the same at Φ(x; M) = x·M + blur(x)·(1 − M)
 *   logitFirst     the same at Φ(x; 0.5)             (the first iteration's mask)
 *   logitPerturbed the same at blur(x)
 *   finalLoss      regularizers(M) − p_c(Φ(x; M))    (preservation game)
 * and the mask features are constants. c is the class the detector will
 * explain: the prediction once the label has flipped, the runner-up before.
 * Each image keeps its best iterate among those explained: flipped with the
 * lowest true detector score (from a real explanation, not the approximation).
 */
import { keep, noGrad, resizeBilinear, tensor, tidy, type Tensor } from '@maskgrad/autograd';
import { gaussianBlur } from '../blur.js';
import { oneHot, type Classifier } from '../objective.js';
import { OptionError } from '../options.js';
import { predict } from '../attack.js';
import { detectorScores, explainOptionsOf, type Detector } from './detector.js';
import { explainFeatures } from './features.js';

export interface AdaptiveAttackOptions {
  /** L∞ budget in [0, 1] pixel units. */
  eps: number;
  /** PGD steps (default 50) and step (default 2.5·ε/steps). */
  steps?: number;
  stepSize?: number;
  /** Explain afresh every this many steps (default 10); the masks are held fixed in between. */
  refresh?: number;
  /** λ, the weight of the detector's logit against the margin (default 1). */
  detectorWeight?: number;
  /** κ: stop pushing the margin once the wrong class wins by this much (default 2). */
  confidence?: number;
  /** Images explained together (default 16). */
  batchSize?: number;
}

export interface AdaptiveAttackResult {
  /** [N, 3, H, W]: per image, the best iterate explained (see above). */
  adversarial: Tensor;
  cleanLabels: number[];
  /** The detector's score of each returned image (its real explanation) and whether the label changed. */
  scores: number[];
  flipped: boolean[];
  explanations: number;
}

/** logit p_c = Z_c − LSE_{i≠c} Z_i for logits [N, C] and one-hot rows of c. */
function classLogit(z: Tensor, hot: Tensor): Tensor {
  const others = z.sub(hot.mul(1e4));
  const top = others.max(-1, true).detach();
  return z.mul(hot).sum(-1).sub(others.sub(top).exp().sum(-1).log().add(top.reshape([z.shape[0]])));
}

/** The detector's logit s(x) with the masks m [N, 1, h, w] held fixed, for classes c; and the margin of y. */
function objective(model: Classifier, d: Detector, x: Tensor, m: Tensor, regularizers: number[], hotC: Tensor, hotY: Tensor, o: Required<AdaptiveAttackOptions>): Tensor {
  const n = x.shape[0];
  const blurred = gaussianBlur(x, d.explainOptions.blurSigma);
  const up = resizeBilinear(m, x.shape[2], x.shape[3]);
  const after = blurred.add(x.sub(blurred).mul(up));
  const first = blurred.add(x.sub(blurred).mul(d.explainOptions.maskInit));
  const z = model.forward(model.normalize(x.concat([after, first, blurred], 0)));
  const part = (k: number) => z.slice(0, k * n, (k + 1) * n);
  const f: Record<string, Tensor> = {
    logitBefore: classLogit(part(0), hotC), logitAfter: classLogit(part(1), hotC), logitFirst: classLogit(part(2), hotC), logitPerturbed: classLogit(part(3), hotC),
    finalLoss: tensor(regularizers, [n], { backend: x.backend }).sub(part(1).softmax(-1).mul(hotC).sum(-1)),
  };
  let s: Tensor | null = null;
  d.featureNames.forEach((name, j) => {
    const t = f[name];
    if (t === undefined) return; // a mask feature: constant while M is held
    const term = t.sub(d.means[j]).mul(d.weights[j] / d.stds[j]);
    s = s === null ? term : s.add(term);
  });
  const zx = part(0);
  const margin = zx.mul(hotY).sum(-1).sub(zx.sub(hotY.mul(1e4)).max(-1)).add(o.confidence).relu();
  return (s === null ? margin : margin.add((s as Tensor).mul(o.detectorWeight))).sum();
}

function resolve(o: AdaptiveAttackOptions): Required<AdaptiveAttackOptions> {
  if (!(typeof o.eps === 'number' && o.eps > 0 && o.eps <= 1)) throw new OptionError('eps', o.eps, 'a number in (0, 1], e.g. 8/255');
  const steps = o.steps ?? 50;
  const r = {
    eps: o.eps, steps, refresh: o.refresh ?? 10, detectorWeight: o.detectorWeight ?? 1, confidence: o.confidence ?? 2, batchSize: o.batchSize ?? 16,
    stepSize: o.stepSize ?? (2.5 * o.eps) / steps,
  };
  if (!(Number.isInteger(r.steps) && r.steps >= 1 && r.steps <= 10_000)) throw new OptionError('steps', r.steps, 'a whole number from 1 to 10000');
  if (!(Number.isInteger(r.refresh) && r.refresh >= 1)) throw new OptionError('refresh', r.refresh, 'a whole number ≥ 1');
  if (!(r.stepSize > 0 && r.stepSize <= 1)) throw new OptionError('stepSize', r.stepSize, 'a number in (0, 1]');
  if (!(r.detectorWeight >= 0 && Number.isFinite(r.detectorWeight))) throw new OptionError('detectorWeight', r.detectorWeight, 'a number ≥ 0');
  if (!(r.confidence >= 0 && Number.isFinite(r.confidence))) throw new OptionError('confidence', r.confidence, 'a number ≥ 0');
  return r;
}

/** Attack images [N, 3, H, W] in [0, 1] (the detector's input size) against the model and the detector together. */
export async function adaptiveAttack(model: Classifier, d: Detector, x: Tensor, options: AdaptiveAttackOptions): Promise<AdaptiveAttackResult> {
  const o = resolve(options);
  const [n, , h, w] = x.shape;
  if (h !== d.imageSize || w !== d.imageSize) throw new OptionError('images', `${w}×${h}`, `images of the detector's ${d.imageSize} px`);
  // the features' gradients below are those of the preservation game with a blur (what detectors are trained with)
  if (d.explainOptions.game !== 'preservation' || d.explainOptions.perturbation !== 'blur' || d.explainOptions.maskNoise !== 0 || d.explainOptions.jitter !== 0) {
    throw new OptionError('detector', `${d.explainOptions.game} game, ${d.explainOptions.perturbation}`, 'a detector explaining with the preservation game, a blur, no mask noise and no jitter');
  }
  const plane = x.size / n;
  const e = d.explainOptions;
  const cleanLabels = await predict(model, x);
  const x0 = x.detach();
  const hotY = oneHot(cleanLabels, model.labels.length, x.backend);
  const best = Float32Array.from(await x0.data());
  const bestScore = new Array<number>(n).fill(Infinity);
  const flipped = new Array<boolean>(n).fill(false);
  let cur = x0;
  let held: { m: Tensor; regularizers: number[]; hotC: Tensor } | null = null;
  let explanations = 0;
  for (let s = 0; s <= o.steps; s++) {
    if (s % o.refresh === 0 || s === o.steps) {
      // explain the current images as the detector will, keep the best iterates, and hold the new masks
      const ex = await explainFeatures(model, cur, explainOptionsOf(d), o.batchSize);
      explanations += n;
      const scores = detectorScores(d, ex.features);
      const pixels = await cur.data();
      const out = tidy(() => noGrad(() => model.forward(model.normalize(cur))));
      const logits = await out.data();
      out.dispose();
      const classes = ex.results.map((r, k) => {
        const won = r.target !== cleanLabels[k];
        if (won && (!flipped[k] || scores[k] < bestScore[k])) {
          flipped[k] = true;
          bestScore[k] = scores[k];
          best.set(pixels.subarray(k * plane, (k + 1) * plane), k * plane);
        } else if (!flipped[k] && s === o.steps) {
          bestScore[k] = scores[k];
          best.set(pixels.subarray(k * plane, (k + 1) * plane), k * plane);
        }
        if (won) return r.target;
        const row = Array.from(logits.subarray(k * model.labels.length, (k + 1) * model.labels.length));
        row[cleanLabels[k]] = -Infinity;
        return row.indexOf(Math.max(...row));
      });
      if (held) { held.m.dispose(); held.hotC.dispose(); }
      const masks = new Float32Array(n * e.maskSize * e.maskSize);
      ex.results.forEach((r, k) => masks.set(r.mask.values, k * e.maskSize * e.maskSize));
      held = {
        m: tensor(masks, [n, 1, e.maskSize, e.maskSize], { backend: x.backend }), hotC: oneHot(classes, model.labels.length, x.backend),
        regularizers: ex.results.map((r) => r.history[r.history.length - 1].loss + r.history[r.history.length - 1].probability),
      };
    }
    if (s === o.steps) break;
    const h0 = held!;
    const next = tidy(() => {
      const leaf = cur.detach().setRequiresGrad(true);
      objective(model, d, leaf, h0.m, h0.regularizers, h0.hotC, hotY, o).backward();
      const g = leaf.grad!;
      // descend: lower margin and lower detector logit
      return cur.sub(g.gt(0).sub(g.lt(0)).mul(o.stepSize)).maximum(x0.sub(o.eps)).minimum(x0.add(o.eps)).clamp(0, 1);
    });
    if (cur !== x0) cur.dispose();
    cur = next;
  }
  if (held) { held.m.dispose(); held.hotC.dispose(); }
  hotY.dispose();
  if (cur !== x0) cur.dispose();
  return { adversarial: keep(tensor(best, x.shape, { backend: x.backend })), cleanLabels, scores: bestScore, flipped, explanations };
}
