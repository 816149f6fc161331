/**
 * Constant or reflect padding of any axes: pads[i] = [before, after] for
 * axis i (missing leading axes are not padded). The gradient of constant
 * padding is a slice; of reflect padding, the folded sum: each reflected
 * strip, flipped and zero-padded into place, is added to the slice.
 */
import { padKernel, paddedShape, type PadMode } from '@maskgrad/kernels';
import { record, Tensor } from '../tensor.js';
import * as U from './untracked.js';

type Pads = readonly (readonly [number, number])[];

/** Untracked padding of a tensor (the kernel on a contiguous copy). */
function padded(x: Tensor, pads: Pads, mode: PadMode, value: number): Tensor {
  const c = U.contiguous(x);
  const y = new Tensor(padKernel(x.backend, c.storage, c.shape, pads, mode, value), paddedShape(c.shape, pads));
  if (c !== x) c.dispose();
  return y;
}

/** Elements start..end-1 of one axis, as a view. */
function sliceView(t: Tensor, axis: number, start: number, end: number): Tensor {
  const shape = [...t.shape];
  shape[axis] = end - start;
  return U.view(t, shape, t.strides, t.offset + start * t.strides[axis]);
}

export function pad(x: Tensor, pads: Pads, mode: PadMode = 'constant', value = 0): Tensor {
  const full = [...x.shape.slice(0, x.rank - pads.length).map(() => [0, 0] as const), ...pads];
  if (full.length !== x.rank) throw new Error(`pad(): ${pads.length} pad pairs for a tensor of rank ${x.rank}`);
  full.forEach(([b, a], i) => {
    if (b < 0 || a < 0) throw new Error(`pad(): negative padding on axis ${i}`);
    if (mode === 'reflect' && (b >= x.shape[i] || a >= x.shape[i]) && (b > 0 || a > 0)) {
      throw new Error(`pad(): reflect padding (${b}, ${a}) must be smaller than axis ${i} of size ${x.shape[i]}`);
    }
  });
  return record(padded(x, full, mode, value), [x], `pad(${mode})`, (g) => {
    let grad = g;
    full.forEach(([b, a], axis) => {
      if (b === 0 && a === 0) return;
      const n = x.shape[axis];
      let core = sliceView(grad, axis, b, b + n);
      if (mode === 'reflect') {
        // padded position b-1-j reflects input j+1; position b+n+j reflects input n-2-j
        const into = (t: Tensor, before: number, after: number) =>
          padded(t, t.shape.map((_, i) => (i === axis ? [before, after] as const : [0, 0] as const)), 'constant', 0);
        if (b > 0) core = U.add(core, into(U.flip(sliceView(grad, axis, 0, b), axis), 1, n - 1 - b));
        if (a > 0) core = U.add(core, into(U.flip(sliceView(grad, axis, b + n, b + n + a), axis), n - 1 - a, 1));
      }
      grad = U.contiguous(core);
    });
    return [grad];
  });
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const padMethods = {
  pad(this: Tensor, pads: readonly (readonly [number, number])[], mode?: PadMode, value?: number): Tensor { return pad(this, pads, mode, value); },
};
