/**
 * A low-frequency L∞ attack (in the spirit of Guo et al., "Low Frequency
 * Adversarial Perturbation", 2019, and Sharma et al. 2019): PGD on a coarse
 * perturbation δ [N, 3, r, r], applied bilinearly upsampled:
 *   x' = clip(x + upsample(δ), 0, 1),  δ ← clip(δ + α·sign(∇_δ L), −ε, ε)
 * ascending the cross-entropy of the clean label. Bilinear upsampling takes
 * convex combinations of δ's values, so |x' − x| ≤ ε holds exactly; the noise
 * has no structure finer than H/r pixels, which a detector that relies on the
 * blur removing high frequencies should find hard to see.
 */
import { crossEntropy, keep, rand, resizeBilinear, tidy, type Tensor } from '@maskgrad/autograd';
import { predict } from '../attack.js';
import type { Classifier } from '../objective.js';
import { OptionError } from '../options.js';

export interface LowFrequencyOptions {
  /** L∞ budget in [0, 1] pixel units. */
  eps: number;
  /** The coarse grid's side r (default 8: 8×8 → the image size). */
  resolution?: number;
  /** PGD iterations (default 100) and step (default 2.5·ε/steps, Madry et al.'s choice). */
  steps?: number;
  stepSize?: number;
  /** Seed of the uniform random start of δ in [−ε, ε]. */
  seed?: number;
}

/** x + upsample(δ), clipped to [0, 1]. */
const apply = (x0: Tensor, delta: Tensor) => x0.add(resizeBilinear(delta, x0.shape[2], x0.shape[3])).clamp(0, 1);

/** Attack a batch of images [N, 3, H, W] in [0, 1]; returns x', the clean labels and the loss per step. */
export async function lowFrequencyAttack(model: Classifier, x: Tensor, options: LowFrequencyOptions): Promise<{ adversarial: Tensor; cleanLabels: number[]; losses: number[] }> {
  const { eps } = options;
  if (!(typeof eps === 'number' && eps > 0 && eps <= 1)) throw new OptionError('eps', eps, 'a number in (0, 1], e.g. 8/255');
  const r = options.resolution ?? 8;
  if (!(Number.isInteger(r) && r >= 1 && r <= Math.min(x.shape[2], x.shape[3]))) throw new OptionError('resolution', r, `a whole number from 1 to the image side (${x.shape[3]})`);
  const steps = options.steps ?? 100;
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= 10_000)) throw new OptionError('steps', steps, 'a whole number from 1 to 10000');
  const alpha = options.stepSize ?? (2.5 * eps) / steps;
  if (!(alpha > 0 && alpha <= 1)) throw new OptionError('stepSize', alpha, 'a number in (0, 1]');
  const cleanLabels = await predict(model, x);
  const x0 = x.detach();
  let delta = rand([x.shape[0], 3, r, r], { seed: options.seed ?? 0, lo: -eps, hi: eps, backend: x.backend });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { next, loss } = tidy(() => {
      const leaf = delta.detach().setRequiresGrad(true);
      const ce = crossEntropy(model.forward(model.normalize(apply(x0, leaf))), cleanLabels);
      ce.backward();
      const g = leaf.grad!;
      return { next: delta.add(g.gt(0).sub(g.lt(0)).mul(alpha)).clamp(-eps, eps), loss: ce };
    });
    losses.push(await loss.item());
    loss.dispose();
    delta.dispose();
    delta = next;
  }
  const adversarial = keep(tidy(() => apply(x0, delta)));
  delta.dispose();
  return { adversarial, cleanLabels, losses };
}
