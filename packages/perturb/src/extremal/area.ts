/**
 * The area constraint (Fong, Patrick & Vedaldi 2019, eq. 5): a mask of
 * area a has, sorted ascending, (1 − a)·n zeros followed by a·n ones. The
 * penalty is the mean squared distance between the sorted mask and that
 * step vector r_a:
 *
 *   R_a(m) = (1/n)·‖sort(vec m) − r_a‖²
 *
 * It is zero exactly for binary masks of area a and, unlike an l1 term,
 * does not shrink the mask's values: it fixes how much is kept, not how
 * little.
 */
import { sort, tensor, type Tensor } from '@maskgrad/autograd';
import type { Backend } from '@maskgrad/kernels';

/**
 * r_a for each area as rows of n values: zeros, then round(a·image) ones,
 * where `image` is the number of pixels the area is a fraction of (the mask
 * may have a margin beyond the image: n ≥ image).
 */
export function areaSteps(areas: readonly number[], n: number, image = n): Float32Array {
  const out = new Float32Array(areas.length * n);
  areas.forEach((a, k) => out.fill(1, (k + 1) * n - Math.round(a * image), (k + 1) * n));
  return out;
}

/** The step vectors for K masks, mask k of area areas[k % A]: [K, n]. */
export function areaReference(areas: readonly number[], masks: number, n: number, image: number, backend: Backend): Tensor {
  const steps = areaSteps(areas, n, image);
  const out = new Float32Array(masks * n);
  for (let k = 0; k < masks; k++) out.set(steps.subarray((k % areas.length) * n, (k % areas.length + 1) * n), k * n);
  return tensor(out, [masks, n], { backend });
}

/** R_a per mask: masks [K, 1, H, W] and their step vectors [K, H·W] → [K]. */
export function areaPenalty(masks: Tensor, reference: Tensor): Tensor {
  const [k] = masks.shape;
  const flat = masks.reshape([k, masks.size / k]);
  return sort(flat, -1).sub(reference).pow(2).mean(-1);
}
