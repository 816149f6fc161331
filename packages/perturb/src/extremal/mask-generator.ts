/**
 * The extremal perturbation's smooth mask (Fong, Patrick & Vedaldi, ICCV
 * 2019, §3.3; TorchRay's MaskGenerator). The parameters m̄ live on a coarse
 * grid, one cell every `step` pixels (cell (i, j) centred on pixel
 * (step·i, step·j)); the mask at pixel u is a smooth max over the cells
 * around it, each scaled by a bump of its distance:
 *
 *   m(u) = smax_{cells c near u} k(|u − centre(c)| / σ) · m̄(c),   k(z) = exp(−2·max(z − ½, 0)²)
 *
 * smax is a softmax-weighted mean with coldness 20. A cell at 1 thus makes
 * a flat-topped disc of radius ≈ σ/2 with smooth shoulders, and the mask can
 * only be as detailed as that disc: smooth by construction, with no TV term.
 * Cells up to r = 1 + ⌈σ/step⌉ away are looked at. As in TorchRay, the mask
 * is generated with a margin of about σ around the image (cells there are
 * 0): the area term counts the margin too, so that a cell at the image's
 * border gets the area term's pull from as many pixels as one inside and
 * does not outlast the others just by sitting at the edge.
 */
import { clamp, smoothMaxPool, tensor, type Tensor } from '@maskgrad/autograd';
import type { Backend } from '@maskgrad/kernels';

/** TorchRay's coldness of the smooth max. */
export const MASK_COLDNESS = 20;

export interface MaskGeometry {
  /** Image side in pixels. */
  side: number;
  /** Pixels between cell centres. */
  step: number;
  /** Smoothing σ in pixels. */
  sigma: number;
  /** Parameter cells per side: ⌈side / step⌉. */
  grid: number;
  /** Zero cells around the grid (⌈σ / step⌉), and the margin they make in pixels. */
  marginCells: number;
  margin: number;
  /** The generated mask's side: side + 2·margin. */
  full: number;
  /** Cells looked at on each side of a pixel's own cell. */
  radius: number;
  /** k(distance / σ) for every window entry and pixel of the full mask: [(2r+1)², full, full]. */
  weights: Float32Array;
}

/** TorchRay's bump: 1 within σ/2 of a cell centre, then a Gaussian shoulder. */
export function maskBump(z: number): number {
  const over = Math.max(z - 0.5, 0);
  return Math.exp(-2 * over * over);
}

export function maskGeometry(side: number, step: number, sigma: number): MaskGeometry {
  if (!(Number.isInteger(step) && step >= 1 && sigma > 0)) throw new Error(`maskGeometry(): step must be a whole number ≥ 1 and σ > 0, got step ${step}, σ ${sigma}`);
  const grid = Math.ceil(side / step);
  const marginCells = Math.ceil(sigma / step);
  const margin = marginCells * step;
  const full = side + 2 * margin;
  const radius = 1 + Math.ceil(sigma / step);
  const d = 2 * radius + 1;
  const weights = new Float32Array(d * d * full * full);
  // in full-mask coordinates: cell i of the padded grid is centred on pixel step·i
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
    for (let u = 0; u < full; u++) for (let v = 0; v < full; v++) {
      const i = Math.floor(u / step) + a - radius;
      const j = Math.floor(v / step) + b - radius;
      const dist = Math.hypot(u - step * i, v - step * j);
      weights[((a * d + b) * full + u) * full + v] = maskBump(dist / sigma);
    }
  }
  return { side, step, sigma, grid, marginCells, margin, full, radius, weights };
}

/** The weights as a constant tensor on a backend (made once per run). */
export function maskWeights(g: MaskGeometry, backend: Backend): Tensor {
  const d = 2 * g.radius + 1;
  return tensor(g.weights, [d * d, g.full, g.full], { backend });
}

/** Parameters [K, 1, grid, grid] → masks with their margin [K, 1, full, full], in [0, 1]. */
export function smoothMask(params: Tensor, g: MaskGeometry, weights: Tensor): Tensor {
  return clamp(smoothMaxPool(params, weights, { step: g.step, radius: g.radius, coldness: MASK_COLDNESS, pad: g.marginCells }), 0, 1);
}

/** The image's part of full masks [K, 1, full, full] → [K, 1, side, side]. */
export function cropMask(full: Tensor, g: MaskGeometry): Tensor {
  return g.margin > 0 ? full.slice(2, g.margin, g.margin + g.side).slice(3, g.margin, g.margin + g.side) : full;
}
