/**
 * Smooth max-pool from a coarse grid to a finer output (TorchRay's mask
 * generator, Fong, Patrick & Vedaldi 2019; the math and the kernels are in
 * kernels/src/smooth-max-pool.ts). For x [..., h, w] and constant weights
 * [(2r+1)², oh, ow]:
 *   y(u, v) = Σ_d z_d·softmax_d(β z),  z_d = weights[d, u, v]·x[⌊u/step⌋ − pad + dy, ⌊v/step⌋ − pad + dx]
 *   dL/dx(cell) = Σ over the (pixel, d) that read the cell of g·s_d·(1 + β(z_d − y))·weights[d, u, v]
 * The weights get no gradient (they are the fixed smoothing kernel).
 */
import { smoothMaxPoolGradKernel, smoothMaxPoolKernel, type SmoothMaxPoolShape } from '@maskgrad/kernels';
import { backendOf, record, Tensor } from '../tensor.js';
import * as U from './untracked.js';

export interface SmoothMaxPoolOptions {
  /** Output pixels per grid cell. */
  step: number;
  /** Window half-width in cells: the weights have (2r+1)² rows. */
  radius: number;
  /** β: 0 gives the window's mean, ∞ its max. */
  coldness: number;
  /** Zero cells the output extends before the grid (its margin in cells); default 0. */
  pad?: number;
}

export function smoothMaxPool(x: Tensor, weights: Tensor, o: SmoothMaxPoolOptions): Tensor {
  const d = 2 * o.radius + 1;
  if (x.rank < 2) throw new Error(`smoothMaxPool(): x needs at least 2 axes [..., h, w], got [${x.shape.join(', ')}]`);
  if (weights.rank !== 3 || weights.shape[0] !== d * d) {
    throw new Error(`smoothMaxPool(): weights have shape [${weights.shape.join(', ')}], expected [${d * d}, out height, out width] for radius ${o.radius}`);
  }
  if (weights.requiresGrad) throw new Error('smoothMaxPool(): the weights are a fixed kernel and get no gradient; pass them with requiresGrad false');
  const pad = o.pad ?? 0;
  if (!(Number.isInteger(o.step) && o.step >= 1 && Number.isInteger(o.radius) && o.radius >= 0 && o.coldness >= 0 && Number.isInteger(pad) && pad >= 0)) {
    throw new Error(`smoothMaxPool(): step must be a whole number ≥ 1, radius and pad whole numbers ≥ 0, coldness ≥ 0; got ${JSON.stringify(o)}`);
  }
  const backend = backendOf(x, weights);
  const [h, w] = x.shape.slice(-2);
  const [, oh, ow] = weights.shape;
  const s: SmoothMaxPoolShape = { planes: x.size / (h * w), h, w, oh, ow, step: o.step, radius: o.radius, coldness: o.coldness, pad };
  const xc = U.contiguous(x);
  const wc = U.contiguous(weights);
  const fwd = smoothMaxPoolKernel(backend, xc.storage, wc.storage, s);
  const shape = [...x.shape.slice(0, -2), oh, ow];
  // the log-normalizer is kept (as a tensor, freed with the graph) for the gradient
  const logNorm = new Tensor(fwd.logNorm, shape);
  const y = new Tensor(fwd.y, shape);
  return record(y, [x], 'smoothMaxPool', (g) => {
    const gc = U.contiguous(g);
    const dx = smoothMaxPoolGradKernel(backend, gc.storage, xc.storage, wc.storage, { y: y.storage, logNorm: logNorm.storage }, s);
    if (gc !== g) gc.dispose();
    return [new Tensor(dx, x.shape)];
  });
}
