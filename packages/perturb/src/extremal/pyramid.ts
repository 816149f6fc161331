/**
 * The blur pyramid (TorchRay's Perturbation): L versions of the image,
 * level l blurred with σ_l = σ_max·(1 − l/(L−1)), so level 0 is the
 * strongest blur and level L−1 the image itself. A mask value m ∈ [0, 1]
 * picks the fractional level w = m·(L−1) and interpolates linearly:
 *
 *   Φ(x; m) = (1 − f)·y_k + f·y_{k'},   k = ⌊w⌋, f = w − k, k' = min(k + 1, L−1)
 *
 * k is a constant (compare ops, no gradient), so dΦ/dm = (L−1)·(y_{k'} − y_k):
 * the right derivative at whole levels, as TorchRay's gather-based version.
 */
import { compare, minimum, noGrad, tensor, type Tensor } from '@maskgrad/autograd';
import { gaussianBlur } from '../blur.js';

/** Images [N, 3, H, W] → pyramids [N, L, 3, H, W] (no gradient). */
export function blurPyramid(x: Tensor, levels: number, maxSigma: number): Tensor {
  if (!(Number.isInteger(levels) && levels >= 2)) throw new Error(`blurPyramid(): levels must be a whole number ≥ 2, got ${levels}`);
  return noGrad(() => {
    const ys = Array.from({ length: levels }, (_, l) => {
      const sigma = maxSigma * (1 - l / (levels - 1));
      return (sigma > 0 ? gaussianBlur(x, sigma) : x).unsqueeze(1);
    });
    return ys[0].concat(ys.slice(1), 1);
  });
}

/** The strongest level of each pyramid: the fully perturbed images [N, 3, H, W]. */
export function fullyPerturbed(pyramid: Tensor): Tensor {
  return pyramid.slice(1, 0, 1).squeeze(1);
}

/** Φ for masks m [K, 1, H, W] and one pyramid per mask [K, L, 3, H, W] → [K, 3, H, W]. */
export function applyPyramid(pyramid: Tensor, m: Tensor): Tensor {
  const levels = pyramid.shape[1];
  const top = levels - 1;
  const w = m.mul(top);
  const index = tensor(Float32Array.from({ length: levels }, (_, l) => l), [1, levels, 1, 1], { backend: m.backend });
  // k = ⌊w⌋ = #{l ≥ 1 : w ≥ l}, a constant
  const k = compare('ge', w, index.slice(1, 1)).sum(1, true);
  const next = minimum(k.add(1), top);
  const f = w.sub(k);
  const weights = compare('eq', index, k).mul(f.neg().add(1)).add(compare('eq', index, next).mul(f)); // [K, L, H, W]
  return weights.unsqueeze(2).mul(pyramid).sum(1);
}
