/**
 * lerp(start, end, weight) = start + (end − start)·weight, broadcast
 * (torch.lerp): one kernel forward. The meaningful-perturbation composite
 * Φ = P + (x − P)·M is lerp(P, x, M).
 *   dL/dstart = g·(1 − w),  dL/dend = g·w,  dL/dweight = g·(end − start)
 * each summed back to its input's shape (the mask's over the channels).
 */
import { LERP, type ElementwiseOp } from '@maskgrad/kernels';
import { record, type Tensor } from '../tensor.js';
import * as U from './untracked.js';

/** g·(x2 − x1): the weight's gradient in one kernel. */
const WEIGHT_GRAD: ElementwiseOp = { name: 'lerpWeightGrad', kernel: 'r = x0 * (x2 - x1);', reference: (g, s, e) => g * (e - s) };

export function lerp(start: Tensor, end: Tensor, weight: Tensor): Tensor {
  return record(U.map(LERP, start, end, weight), [start, end, weight], 'lerp', (g, needs) => [
    needs[0] ? U.sumTo(U.mul(g, U.rsub(1, weight)), start.shape) : null,
    needs[1] ? U.sumTo(U.mul(g, weight), end.shape) : null,
    needs[2] ? U.sumTo(U.map(WEIGHT_GRAD, g, start, end), weight.shape) : null,
  ]);
}
