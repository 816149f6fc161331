/**
 * Adversarial attacks under an L∞ budget ε, on any loaded classifier, with
 * the gradient from our own autograd:
 *   FGSM (Goodfellow et al. 2015): x' = clip(x + ε·sign(∇ₓL))
 *   PGD  (Madry et al. 2018):      x ← Π_{B∞(x₀, ε) ∩ [0,1]}(x + α·sign(∇ₓL)), repeated,
 *                                  optionally from a random start in the ε-ball.
 * Untargeted attacks ascend the cross-entropy of the clean label; targeted
 * ones descend the cross-entropy of the target. Pixels stay in [0, 1].
 */
import { crossEntropy, keep, noGrad, rand, tensor, tidy, type Tensor } from '@maskgrad/autograd';
import type { Classifier } from './objective.js';
import { OptionError } from './options.js';
import { resolveTarget } from './target.js';

export interface AttackOptions {
  method?: 'fgsm' | 'pgd';
  /** L∞ budget in [0, 1] pixel units (8/255 is common). */
  eps: number;
  /** PGD step α (default ε/4). */
  stepSize?: number;
  /** PGD iterations (default 10). */
  steps?: number;
  /** PGD: start from a uniformly random point of the ε-ball (default true). */
  randomStart?: boolean;
  /**
   * PGD: runs from fresh random starts (seeds seed, seed+1, …; default 1). Each image keeps its
   * best run: the first that succeeds (label changed, or target reached), else the one with the
   * highest loss. A restart runs only on the images no earlier run has won.
   */
  restarts?: number;
  /** Targeted attack: make the model say this class (one per image or one for all). */
  target?: number | readonly number[];
  seed?: number;
}

export interface AttackResult {
  /** Adversarial pixels [N, 3, H, W] in [0, 1]. */
  adversarial: Tensor;
  /** The labels attacked (the clean predictions) and the targets, if any. */
  cleanLabels: number[];
  targets: number[] | null;
}

/** Fill the defaults and validate every option (an OptionError names a bad one), before any work. */
export function resolveAttackOptions(o: AttackOptions): Required<Omit<AttackOptions, 'target'>> & { target?: AttackOptions['target'] } {
  const method = o.method ?? 'pgd';
  if (method !== 'fgsm' && method !== 'pgd') throw new OptionError('method', method, "use 'fgsm' or 'pgd'");
  if (!(typeof o.eps === 'number' && o.eps > 0 && o.eps <= 1)) throw new OptionError('eps', o.eps, 'a number in (0, 1], e.g. 8/255');
  const steps = o.steps ?? (method === 'fgsm' ? 1 : 10);
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= 10_000)) throw new OptionError('steps', steps, 'a whole number from 1 to 10000');
  const stepSize = o.stepSize ?? (method === 'fgsm' ? o.eps : o.eps / 4);
  if (!(typeof stepSize === 'number' && stepSize > 0 && stepSize <= 1)) throw new OptionError('stepSize', stepSize, 'a number in (0, 1]');
  const seed = o.seed ?? 0;
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 24)) throw new OptionError('seed', seed, 'a whole number from 0 to 16777215');
  const restarts = o.restarts ?? 1;
  if (!(Number.isInteger(restarts) && restarts >= 1 && restarts <= 100)) throw new OptionError('restarts', restarts, 'a whole number from 1 to 100');
  if (restarts > 1 && !(method === 'pgd' && o.randomStart !== false)) throw new OptionError('restarts', restarts, 'restarts need PGD with a random start');
  return { method, eps: o.eps, steps, stepSize, randomStart: o.randomStart ?? method === 'pgd', restarts, seed, target: o.target };
}

/** Predicted class of each image [N, 3, H, W] in [0, 1]. */
export async function predict(model: Classifier, x: Tensor): Promise<number[]> {
  const out = tidy(() => noGrad(() => model.forward(model.normalize(x))));
  const logits = await out.data();
  out.dispose();
  const c = model.labels.length;
  return Array.from({ length: x.shape[0] }, (_, i) => {
    const row = logits.subarray(i * c, (i + 1) * c);
    return row.indexOf(Math.max(...row));
  });
}

/**
 * One signed-gradient step of the cross-entropy, ascending (untargeted) or
 * descending (targeted), projected onto the ε-ball around x0 and onto
 * [0, 1]. Returns the next image and the loss before the step (not read yet).
 */
function step(model: Classifier, x: Tensor, x0: Tensor, labels: number[], targeted: boolean, alpha: number, eps: number): { next: Tensor; loss: Tensor } {
  const leaf = x.detach().setRequiresGrad(true);
  const ce = crossEntropy(model.forward(model.normalize(leaf)), labels);
  const loss = targeted ? ce.neg() : ce;
  loss.backward();
  const grad = leaf.grad!;
  const sign = grad.gt(0).sub(grad.lt(0));
  return { next: x.add(sign.mul(alpha)).maximum(x0.sub(eps)).minimum(x0.add(eps)).clamp(0, 1), loss };
}

/** One PGD/FGSM run from one start; returns the final images and the loss per step. */
async function run(model: Classifier, x0: Tensor, labels: number[], targeted: boolean, o: ReturnType<typeof resolveAttackOptions>, seed: number): Promise<{ x: Tensor; losses: number[] }> {
  let cur = x0;
  if (o.method === 'pgd' && o.randomStart) {
    cur = x0.add(rand(x0.shape, { seed, lo: -o.eps, hi: o.eps, backend: x0.backend })).clamp(0, 1);
  }
  const losses: number[] = [];
  for (let s = 0; s < o.steps; s++) {
    // one step's graph is freed with its scope; the loss is the one value read back per step
    const { next, loss } = tidy(() => step(model, cur, x0, labels, targeted, o.stepSize, o.eps));
    losses.push(await loss.item());
    loss.dispose();
    if (cur !== x0) cur.dispose();
    cur = next;
  }
  return { x: keep(cur), losses };
}

/** Per image: has the attack won (label changed / target reached), and its cross-entropy loss (negated when targeted). */
export async function attackOutcome(model: Classifier, x: Tensor, labels: readonly number[], targeted: boolean): Promise<{ won: boolean[]; loss: number[] }> {
  const out = tidy(() => noGrad(() => model.forward(model.normalize(x))));
  const logits = await out.data();
  out.dispose();
  const c = model.labels.length;
  const won: boolean[] = [];
  const loss: number[] = [];
  labels.forEach((y, i) => {
    const row = Array.from(logits.subarray(i * c, (i + 1) * c));
    const top = Math.max(...row);
    const ce = top + Math.log(row.reduce((a, v) => a + Math.exp(v - top), 0)) - row[y];
    const predicted = row.indexOf(top);
    won.push(targeted ? predicted === y : predicted !== y);
    loss.push(targeted ? -ce : ce);
  });
  return { won, loss };
}

/** Attack a batch of images [N, 3, H, W] in [0, 1]. losses: the first run's loss per step. */
export async function attack(model: Classifier, x: Tensor, options: AttackOptions): Promise<AttackResult & { losses: number[] }> {
  const o = resolveAttackOptions(options);
  const n = x.shape[0];
  const cleanLabels = await predict(model, x);
  let targets: number[] | null = null;
  if (o.target !== undefined) {
    targets = (typeof o.target === 'number' ? new Array<number>(n).fill(o.target) : [...o.target]).map((t) => resolveTarget(t, model.labels));
  }
  const labels = targets ?? cleanLabels;
  const x0 = x.detach();
  const first = await run(model, x0, labels, targets !== null, o, o.seed);
  if (o.restarts === 1) return { adversarial: first.x, cleanLabels, targets, losses: first.losses };
  // restarts: per image, keep the best run (host-side merge of [3, H, W] planes)
  const plane = x.size / n;
  const best = await first.x.data();
  first.x.dispose();
  const { won, loss } = await attackOutcome(model, tensor(best, x.shape, { backend: x.backend }), labels, targets !== null);
  for (let r = 1; r < o.restarts; r++) {
    const open = won.flatMap((w, i) => (w ? [] : [i]));
    if (open.length === 0) break;
    const sub = noGrad(() => x0.gather(0, open));
    const again = await run(model, sub, open.map((i) => labels[i]), targets !== null, o, (o.seed + r * 7919) % 2 ** 24);
    sub.dispose();
    const out = await attackOutcome(model, again.x, open.map((i) => labels[i]), targets !== null);
    const data = await again.x.data();
    again.x.dispose();
    open.forEach((i, k) => {
      if (out.won[k] || out.loss[k] > loss[i]) {
        best.set(data.subarray(k * plane, (k + 1) * plane), i * plane);
        won[i] = out.won[k];
        loss[i] = out.loss[k];
      }
    });
  }
  return { adversarial: tensor(best, x.shape, { backend: x.backend }), cleanLabels, targets, losses: first.losses };
}

/**
 * Round pixels to 8 bits, as saving to PNG and reading back does: on the
 * host, with the PNG encoder's arithmetic (float64 Math.round), so the
 * result is exactly what a PNG round trip gives.
 */
export async function quantize8(x: Tensor): Promise<Tensor> {
  const values = await x.data();
  return tensor(values.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255), x.shape, { backend: x.backend });
}
