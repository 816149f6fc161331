/**
 * Constant or reflect padding of any axes: pads[i] = [before, after] for
 * axis i (missing leading axes are not padded). The gradient of constant
 * padding is a slice; of reflect padding, the folded sum, computed as the
 * transpose of the index map with plain tensor ops.
 */
import { padKernel, paddedShape, type PadMode } from '@maskgrad/kernels';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { add } from './binary.js';
import { contiguous, slice } from './movement.js';
import { flip } from './flip.js';

export function pad(x: Tensor, pads: readonly (readonly [number, number])[], mode: PadMode = 'constant', value = 0): Tensor {
  const full = [...x.shape.slice(0, x.rank - pads.length).map(() => [0, 0] as const), ...pads];
  if (full.length !== x.rank) throw new Error(`pad(): ${pads.length} pad pairs for a tensor of rank ${x.rank}`);
  full.forEach(([b, a], i) => {
    if (b < 0 || a < 0) throw new Error(`pad(): negative padding on axis ${i}`);
    if (mode === 'reflect' && (b >= x.shape[i] || a >= x.shape[i]) && (b > 0 || a > 0)) {
      throw new Error(`pad(): reflect padding (${b}, ${a}) must be smaller than axis ${i} of size ${x.shape[i]}`);
    }
  });
  const xc = contiguous(x);
  const data = padKernel(x.backend, xc.buffer, xc.shape, full, mode, value);
  return result(data, paddedShape(xc.shape, full), [xc], `pad(${mode})`, (g) => {
    let grad = g;
    full.forEach(([b, a], axis) => {
      if (b === 0 && a === 0) return;
      const n = xc.shape[axis];
      let core = slice(grad, axis, b, b + n);
      if (mode === 'reflect') {
        // padded position b-1-j reflects input j+1; position b+n+j reflects input n-2-j
        if (b > 0) core = add(core, padTo(flip(slice(grad, axis, 0, b), axis), axis, 1, n - 1 - b));
        if (a > 0) core = add(core, padTo(flip(slice(grad, axis, b + n, b + n + a), axis), axis, n - 1 - a, 1));
      }
      grad = contiguous(core);
    });
    return [grad];
  });
}

function padTo(t: Tensor, axis: number, before: number, after: number): Tensor {
  const pads = t.shape.map((_, i) => (i === axis ? [before, after] as const : [0, 0] as const));
  const c = contiguous(t);
  return result(padKernel(t.backend, c.buffer, c.shape, pads, 'constant', 0), paddedShape(c.shape, pads), [], 'pad', () => []);
}
