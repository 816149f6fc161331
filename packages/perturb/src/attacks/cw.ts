/**
 * An L2 attack in the style of Carlini & Wagner (S&P 2017, §V-A), untargeted:
 *   x'(w) = (tanh(w) + 1) / 2                      (pixels in [0, 1] without a clamp)
 *   minimize ‖x' − x‖₂² + c · max(Z_y(x') − max_{i≠y} Z_i(x'), −κ)
 * with Z the logits and y the clean label, by Adam on w. c is found per image
 * by binary search: after each search step, c halves toward the last failure
 * when the attack succeeded and grows (×10, or to the midpoint once an upper
 * bound is known) when it did not. Each image keeps its smallest-L2 success
 * over all steps; an image never attacked successfully keeps its clean pixels.
 */
import { Adam, keep, noGrad, tensor, tidy, type Tensor } from '@maskgrad/autograd';
import { predict } from '../attack.js';
import { oneHot, type Classifier } from '../objective.js';
import { OptionError } from '../options.js';

export interface CarliniWagnerOptions {
  /** Adam steps per value of c (default 50). */
  steps?: number;
  /** Binary-search steps on c (default 3). */
  searchSteps?: number;
  /** The first c (default 1). */
  initialC?: number;
  /** Adam's learning rate on w (default 0.05). */
  lr?: number;
  /** Confidence κ: the margin the wrong class must win by (default 0). */
  confidence?: number;
}

export interface CarliniWagnerResult {
  /** [N, 3, H, W] in [0, 1]: the smallest-L2 adversarial found per image, or the clean image. */
  adversarial: Tensor;
  cleanLabels: number[];
  success: boolean[];
  /** ‖x' − x‖₂ per image (0 where none was found), and the c that found it. */
  l2: number[];
  c: number[];
}

function resolve(o: CarliniWagnerOptions): Required<CarliniWagnerOptions> {
  const r = { steps: 50, searchSteps: 3, initialC: 1, lr: 0.05, confidence: 0, ...o };
  const whole = (key: 'steps' | 'searchSteps', max: number) => {
    if (!(Number.isInteger(r[key]) && r[key] >= 1 && r[key] <= max)) throw new OptionError(key, r[key], `a whole number from 1 to ${max}`);
  };
  whole('steps', 10_000);
  whole('searchSteps', 20);
  if (!(r.initialC > 0 && Number.isFinite(r.initialC))) throw new OptionError('initialC', r.initialC, 'a positive number, e.g. 1');
  if (!(r.lr > 0 && r.lr <= 1)) throw new OptionError('lr', r.lr, 'a number in (0, 1]');
  if (!(r.confidence >= 0 && Number.isFinite(r.confidence))) throw new OptionError('confidence', r.confidence, 'a number ≥ 0');
  return r;
}

/** The per-image objective ‖x'(w) − x‖² + c·max(margin, −κ) (shifted by κ·c, which no gradient sees), and x'. */
function objective(model: Classifier, w: Tensor, x0: Tensor, hot: Tensor, c: Tensor, kappa: number) {
  const xa = w.tanh().add(1).mul(0.5);
  const logits = model.forward(model.normalize(xa));
  const l2 = xa.sub(x0).pow(2).sum([1, 2, 3]);
  const own = logits.mul(hot).sum(-1);
  const other = logits.sub(hot.mul(1e4)).max(-1);
  const loss = l2.add(own.sub(other).add(kappa).relu().mul(c));
  return { total: loss.sum(), xa, logits };
}

/** Attack a batch of images [N, 3, H, W] in [0, 1]. */
export async function carliniWagnerL2(model: Classifier, x: Tensor, options: CarliniWagnerOptions = {}): Promise<CarliniWagnerResult> {
  const o = resolve(options);
  const [n] = x.shape;
  const plane = x.size / n;
  const classes = model.labels.length;
  const cleanLabels = await predict(model, x);
  const x0 = x.detach();
  const pixels = await x0.data();
  const hot = oneHot(cleanLabels, classes, x.backend);
  const best = Float32Array.from(pixels);
  const bestL2 = new Array<number>(n).fill(Infinity);
  const foundC = new Array<number>(n).fill(0);
  const c = new Array<number>(n).fill(o.initialC);
  const lo = new Array<number>(n).fill(0);
  const hi = new Array<number>(n).fill(Infinity);
  // w = atanh(2x − 1), pulled in from ±1 so that saturated pixels have a finite start
  const start = pixels.map((v) => Math.atanh((2 * v - 1) * 0.999999));
  for (let s = 0; s < o.searchSteps; s++) {
    const w = tensor(start, x.shape, { backend: x.backend, requiresGrad: true });
    const opt = new Adam([w], { lr: o.lr });
    const cs = tensor(c, [n], { backend: x.backend });
    const succeeded = new Array<boolean>(n).fill(false);
    for (let i = 0; i < o.steps; i++) {
      const { xa, logits } = tidy(() => {
        const v = objective(model, w, x0, hot, cs, o.confidence);
        v.total.backward();
        return { xa: v.xa.detach(), logits: v.logits.detach() };
      });
      opt.step();
      opt.zeroGrad();
      const [xs, zs] = [await xa.data(), await logits.data()];
      xa.dispose();
      logits.dispose();
      // the images before this step: do they fool the model, and are they closer than the best so far?
      for (let k = 0; k < n; k++) {
        const z = Array.from(zs.subarray(k * classes, (k + 1) * classes));
        if (z.indexOf(Math.max(...z)) === cleanLabels[k]) continue;
        succeeded[k] = true;
        let d = 0;
        for (let j = 0; j < plane; j++) d += (xs[k * plane + j] - pixels[k * plane + j]) ** 2;
        if (d < bestL2[k]) {
          bestL2[k] = d;
          foundC[k] = c[k];
          best.set(xs.subarray(k * plane, (k + 1) * plane), k * plane);
        }
      }
    }
    opt.dispose();
    w.dispose();
    cs.dispose();
    for (let k = 0; k < n; k++) {
      if (succeeded[k]) hi[k] = Math.min(hi[k], c[k]);
      else lo[k] = Math.max(lo[k], c[k]);
      c[k] = hi[k] < Infinity ? (lo[k] + hi[k]) / 2 : c[k] * 10;
    }
  }
  hot.dispose();
  const success = bestL2.map((d) => d < Infinity);
  return {
    adversarial: keep(noGrad(() => tensor(best, x.shape, { backend: x.backend }))), cleanLabels, success,
    l2: bestL2.map((d) => (d < Infinity ? Math.sqrt(d) : 0)), c: foundC,
  };
}
