/**
 * 2-D convolution, NCHW input and OIHW weight (torch.nn.functional.conv2d),
 * with its input and weight gradients as kernels of their own.
 */
import { conv2dInputGradKernel, conv2dKernel, conv2dWeightGradKernel, convOutputSize, type Conv2dShape } from '@maskgrad/kernels';
import { backendOf, record, Tensor } from '../tensor.js';

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  groups?: number;
}
import { add } from './binary.js';
import { matmul } from './matmul.js';
import { permute, reshape, transpose } from './movement.js';
import * as U from './untracked.js';


const pair = (v: number | [number, number] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v;

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  if (x.rank !== 4 || weight.rank !== 4) {
    throw new Error(`conv2d(): input must be [N, C, H, W] and weight [OC, C/groups, KH, KW]; got [${x.shape.join(', ')}] and [${weight.shape.join(', ')}]`);
  }
  const backend = backendOf(x, weight, ...(bias ? [bias] : []));
  const [strideH, strideW] = pair(opts.stride, 1);
  const [padH, padW] = pair(opts.padding, 0);
  const groups = opts.groups ?? 1;
  const [n, c, h, w] = x.shape;
  const [oc, cg, kh, kw] = weight.shape;
  if (c % groups !== 0 || oc % groups !== 0 || cg !== c / groups) {
    throw new Error(`conv2d(): ${c} input channels, ${oc} output channels and groups=${groups} do not fit weight [${weight.shape.join(', ')}]`);
  }
  const s: Conv2dShape = { n, c, h, w, oc, kh, kw, strideH, strideW, padH, padW, groups };
  const { oh, ow } = convOutputSize(s);
  if (oh < 1 || ow < 1) throw new Error(`conv2d(): a ${kh}×${kw} kernel does not fit a ${h}×${w} input with padding ${padH},${padW}`);
  if (groups === 1 && strideH === kh && strideW === kw && padH === 0 && padW === 0 && h % kh === 0 && w % kw === 0) {
    return patchConv(x, weight, bias);
  }
  const xc = U.contiguous(x);
  const wc = U.contiguous(weight);
  const y = record(new Tensor(conv2dKernel(backend, xc.storage, wc.storage, s), [n, oc, oh, ow]), [x, weight], 'conv2d', (g, needs) => {
    const gc = U.contiguous(g);
    return [
      needs[0] ? new Tensor(conv2dInputGradKernel(backend, gc.storage, wc.storage, s), x.shape) : null,
      needs[1] ? new Tensor(conv2dWeightGradKernel(backend, gc.storage, xc.storage, s), weight.shape) : null,
    ];
  });
  return bias ? add(y, reshape(bias, [1, oc, 1, 1])) : y;
}

/**
 * A convolution whose stride equals its kernel (ViT's patch embedding)
 * cuts the image into disjoint patches: it is a permutation of the input
 * and one matrix product, [N·gh·gw, C·kh·kw] · Wᵀ. Composed of primitives,
 * so its gradient comes from theirs; tested against the direct kernel.
 */
function patchConv(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const [n, c, h, w] = x.shape;
  const [oc, , kh, kw] = weight.shape;
  const gh = h / kh;
  const gw = w / kw;
  const patches = reshape(permute(reshape(x, [n, c, gh, kh, gw, kw]), [0, 2, 4, 1, 3, 5]), [n * gh * gw, c * kh * kw]);
  let y = matmul(patches, transpose(reshape(weight, [oc, c * kh * kw])));
  if (bias) y = add(y, bias);
  return permute(reshape(y, [n, gh, gw, oc]), [0, 3, 1, 2]);
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const conv2dMethods = {
  conv2d(this: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor { return conv2d(this, weight, bias ?? null, opts); },
};
