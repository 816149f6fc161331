/**
 * unbind(x, axis): the slices x[i] along one axis, as views (torch.unbind).
 *
 * Each piece alone would hand back its gradient zero-padded to x's shape, and
 * the walk would sum the padded gradients: for the three pieces of an
 * attention layer's stacked q, k, v that is three pads and two adds, each the
 * size of x. The pieces are instead a joint (GradFn.joint): backward.ts
 * collects their gradients and hands x one concat of them (zeros for a piece
 * that got none).
 */
import { concatKernel } from '@maskgrad/kernels';
import { zeros } from '../create.js';
import { type Joint, Tensor, viewResult } from '../tensor.js';
import * as U from './untracked.js';

export function unbind(x: Tensor, axis = 0): Tensor[] {
  const a = U.normAxis(axis, x.rank);
  const count = x.shape[a];
  const shape = x.shape.filter((_, i) => i !== a);
  const strides = x.strides.filter((_, i) => i !== a);
  const inner = shape.slice(a).reduce((p, d) => p * d, 1);
  const outer = shape.slice(0, a).reduce((p, d) => p * d, 1);
  const join = (grads: readonly (Tensor | null)[]): Tensor => {
    const parts = grads.map((g) => (g ? U.contiguous(g) : zeros(shape, { backend: x.backend })));
    const data = concatKernel(x.backend, parts.map((p) => p.storage), parts.map(() => 1), outer, inner);
    parts.forEach((p, i) => p !== grads[i] && p.dispose());
    return new Tensor(data, x.shape);
  };
  const joint: Omit<Joint, 'index'> = { id: {}, count, join };
  return Array.from({ length: count }, (_, i) => {
    const piece = viewResult(x, shape, strides, x.offset + i * x.strides[a], 'unbind', (g) => {
      // alone (backward.ts joins the pieces; this rule is what one piece means)
      const grads: (Tensor | null)[] = new Array(count).fill(null);
      grads[i] = g;
      return [join(grads)];
    });
    if (piece.gradFn) piece.gradFn.joint = { ...joint, index: i };
    return piece;
  });
}

/** This file's op as a chainable method (`x.unbind(axis)`), registered on Tensor by ../methods.ts. */
export const unbindMethods = {
  unbind(this: Tensor, axis?: number): Tensor[] { return unbind(this, axis); },
};
