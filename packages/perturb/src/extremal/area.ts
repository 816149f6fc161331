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
 * little. With a margin around the image (./mask-generator.ts) the margin's
 * values are held to 0 instead of being sorted in with the image's, so the
 * area is the image's own and none of it leaks outside:
 *
 *   R_a(m) = (‖sort(vec m_image) − r_a‖² + ‖m_margin‖²) / n_all
 */
import { sort, tensor, type Tensor } from '@maskgrad/autograd';
import type { Backend } from '@maskgrad/kernels';

/** r_a for each area as rows of n values: n − round(a·n) zeros, then round(a·n) ones. */
export function areaSteps(areas: readonly number[], n: number): Float32Array {
  const out = new Float32Array(areas.length * n);
  areas.forEach((a, k) => out.fill(1, (k + 1) * n - Math.round(a * n), (k + 1) * n));
  return out;
}

/** The step vectors for K masks, mask k of area areas[k % A]: [K, n]. */
export function areaReference(areas: readonly number[], masks: number, n: number, backend: Backend): Tensor {
  const steps = areaSteps(areas, n);
  const out = new Float32Array(masks * n);
  for (let k = 0; k < masks; k++) out.set(steps.subarray((k % areas.length) * n, (k % areas.length + 1) * n), k * n);
  return tensor(out, [masks, n], { backend });
}

/** R_a per mask: masks [K, 1, H, W] with `margin` rows and columns around the image on each side, step vectors [K, (H − 2·margin)·(W − 2·margin)] → [K]. */
export function areaPenalty(masks: Tensor, reference: Tensor, margin = 0): Tensor {
  const [k, , h, w] = masks.shape;
  const image = margin > 0 ? masks.slice(2, margin, h - margin).slice(3, margin, w - margin) : masks;
  const sorted = sort(image.reshape([k, image.size / k]), -1).sub(reference).pow(2).sum(-1);
  if (margin === 0) return sorted.mul(1 / (h * w));
  const outside = masks.pow(2).sum([1, 2, 3]).sub(image.pow(2).sum([1, 2, 3]));
  return sorted.add(outside).mul(1 / (h * w));
}
