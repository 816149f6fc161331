/**
 * Bilinear resize of the last two axes, PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False); the gradient is the
 * transpose of the interpolation, as a gather kernel.
 */
import { resizeBilinearGradKernel, resizeBilinearKernel, type ResizeShape } from '@maskgrad/kernels';
import { record, Tensor } from '../tensor.js';
import * as U from './untracked.js';

export function resizeBilinear(x: Tensor, height: number, width: number): Tensor {
  if (x.rank < 2) throw new Error(`resizeBilinear(): needs at least 2 axes, got [${x.shape.join(', ')}]`);
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    throw new Error(`resizeBilinear(): output size must be positive integers, got ${height}×${width}`);
  }
  const h = x.shape[x.rank - 2];
  const w = x.shape[x.rank - 1];
  const s: ResizeShape = { planes: x.size / (h * w), h, w, oh: height, ow: width };
  const xc = U.contiguous(x);
  const y = new Tensor(resizeBilinearKernel(x.backend, xc.storage, s), [...x.shape.slice(0, -2), height, width]);
  if (xc !== x) xc.dispose();
  return record(y, [x], 'resizeBilinear', (g) => [
    new Tensor(resizeBilinearGradKernel(g.backend, U.contiguous(g).storage, s), x.shape),
  ]);
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const resizeMethods = {
  resizeBilinear(this: Tensor, height: number, width: number): Tensor { return resizeBilinear(this, height, width); },
};
