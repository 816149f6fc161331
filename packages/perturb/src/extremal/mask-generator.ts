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
 * Cells up to r = 1 + ⌈σ/step⌉ away are looked at.
 *
 * The area term needs the mask too, and as in TorchRay over a margin of
 * about σ around the image (cells there are 0), so that a cell at the
 * image's border gets the area term's pull from as many points as one
 * inside and does not outlast the others just by sitting at the edge
 * (./area.ts holds the margin at 0). It reads the mask at the cell centres
 * only (one point per cell): the mask is smooth on the scale of σ ≥ step, so
 * these samples measure its area, and sorting ⌈side/step⌉² values instead of
 * every pixel's is 4× less work at 64 px and 49× at 224.
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
  /** Cells looked at on each side of a pixel's own cell. */
  radius: number;
  /** Zero cells around the grid in the area term's samples (⌈σ / step⌉). */
  marginCells: number;
  /** The area term's samples per side: grid + 2·marginCells. */
  samples: number;
  /** k(distance / σ) for every window entry and pixel: [(2r+1)², side, side]. */
  weights: Float32Array;
  /** The same at the cell centres, margin included: [(2r+1)², samples, samples]. */
  sampleWeights: Float32Array;
}

/** TorchRay's bump: 1 within σ/2 of a cell centre, then a Gaussian shoulder. */
export function maskBump(z: number): number {
  const over = Math.max(z - 0.5, 0);
  return Math.exp(-2 * over * over);
}

/**
 * Bump weights for an output grid whose point (u, v) sits at pixel
 * (spacing·u − offset, spacing·v − offset) and reads the window around cell
 * ⌊u/cellsPerPoint⌋ − pad (the smoothMaxPool geometry).
 */
function bumpWeights(points: number, spacing: number, offset: number, cellsPerPoint: number, pad: number, step: number, sigma: number, radius: number): Float32Array {
  const d = 2 * radius + 1;
  const weights = new Float32Array(d * d * points * points);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
    for (let u = 0; u < points; u++) for (let v = 0; v < points; v++) {
      const i = Math.floor(u / cellsPerPoint) - pad + a - radius;
      const j = Math.floor(v / cellsPerPoint) - pad + b - radius;
      const dist = Math.hypot(spacing * u - offset - step * i, spacing * v - offset - step * j);
      weights[((a * d + b) * points + u) * points + v] = maskBump(dist / sigma);
    }
  }
  return weights;
}

export function maskGeometry(side: number, step: number, sigma: number): MaskGeometry {
  if (!(Number.isInteger(step) && step >= 1 && sigma > 0)) throw new Error(`maskGeometry(): step must be a whole number ≥ 1 and σ > 0, got step ${step}, σ ${sigma}`);
  const grid = Math.ceil(side / step);
  const radius = 1 + Math.ceil(sigma / step);
  const marginCells = Math.ceil(sigma / step);
  const samples = grid + 2 * marginCells;
  return {
    side, step, sigma, grid, radius, marginCells, samples,
    weights: bumpWeights(side, 1, 0, step, 0, step, sigma, radius),
    sampleWeights: bumpWeights(samples, step, step * marginCells, 1, marginCells, step, sigma, radius),
  };
}

export interface MaskWeights {
  image: Tensor;
  samples: Tensor;
}

/** The weights as constant tensors on a backend (made once per run). */
export function maskWeights(g: MaskGeometry, backend: Backend): MaskWeights {
  const t = (2 * g.radius + 1) ** 2;
  return {
    image: tensor(g.weights, [t, g.side, g.side], { backend }),
    samples: tensor(g.sampleWeights, [t, g.samples, g.samples], { backend }),
  };
}

/** Parameters [K, 1, grid, grid] → masks [K, 1, side, side] in [0, 1]. */
export function smoothMask(params: Tensor, g: MaskGeometry, w: MaskWeights): Tensor {
  return clamp(smoothMaxPool(params, w.image, { step: g.step, radius: g.radius, coldness: MASK_COLDNESS }), 0, 1);
}

/** The mask at every cell centre, margin included: [K, 1, samples, samples] in [0, 1], for the area term. */
export function maskSamples(params: Tensor, g: MaskGeometry, w: MaskWeights): Tensor {
  return clamp(smoothMaxPool(params, w.samples, { step: 1, radius: g.radius, coldness: MASK_COLDNESS, pad: g.marginCells }), 0, 1);
}
