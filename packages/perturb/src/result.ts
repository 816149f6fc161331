/**
 * What an explanation returns, for either method (the types only; below
 * explain.ts and extremal/, which both build it).
 */
import type { BackendReport } from '@maskgrad/autograd';
import type { AreaResult } from './extremal/extremal.js';
import type { SweepNote } from './extremal/monotone.js';
import type { Method, ResolvedOptions } from './options.js';

export interface MaskImage {
  width: number;
  height: number;
  /** Row-major values in [0, 1]. */
  values: Float32Array;
}

export interface ExplainResult {
  method: Method;
  /**
   * The mask a reader sees, at low resolution, in [0, 1]. meaningful: the learned mask (1 = kept);
   * extremal: the reported area's mask downsampled to its parameter grid (1 = the region found).
   */
  mask: MaskImage;
  /** The mask at the image size, as applied. */
  upsampledMask: MaskImage;
  target: number;
  label: string;
  probabilityBefore: number;
  probabilityAfter: number;
  /** The target's probability on the fully perturbed image P (M = 0): how much evidence the perturbation removes. */
  probabilityPerturbed: number;
  history: { iteration: number; loss: number; probability: number }[];
  options: ResolvedOptions;
  /** Which backend ran the explanation, why, and why the better ones did not. */
  backend: BackendReport;
  /** [3, H, W] in [0, 1]: Φ(x; M) with the final mask, and the perturbation P (extremal: the pyramid's strongest blur). */
  perturbed: Float32Array;
  baseline: Float32Array;
  /** extremal: every area optimized, smallest first, each with its region kept and deleted. */
  areas?: AreaResult[];
  /** extremal: the index in `areas` of the reported mask (the rule: chooseArea in extremal/extremal.ts). */
  chosenArea?: number;
  /** extremal: where the kept probability still falls from one area to the next larger one, and why (empty when the sweep is monotone). */
  sweep?: SweepNote[];
}
