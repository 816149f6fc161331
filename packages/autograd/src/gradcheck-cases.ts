/**
 * The gradcheck cases: every differentiable op, with inputs away from its
 * kinks. Run on every host backend by autograd.test.ts and on WebGPU in
 * Chromium by tests/webgpu.test.ts. Not part of the package's API.
 */
import type { Backend } from '@maskgrad/kernels';
import { randn, tensor } from './create.js';
import { conv2d } from './ops/conv2d.js';
import { crossEntropy } from './ops/cross-entropy.js';
import { where } from './ops/binary.js';
import { lerp } from './ops/lerp.js';
import { smoothMaxPool } from './ops/smooth-max-pool.js';
import { sort } from './ops/sort.js';
import type { Tensor } from './tensor.js';
import './methods.js';

/** The tolerance every case passes with: float32 forward evaluations, central differences with h = 1e-2. */
export const GRADCHECK_TOLERANCE = { eps: 1e-2, atol: 2e-3, rtol: 2e-2 };

export type GradcheckCase = [name: string, fn: (...x: Tensor[]) => Tensor, inputs: Tensor[]];

/** Every case, its inputs made on `backend` (seeded: the same values on every backend, up to rounding). */
export function gradcheckCases(backend: Backend): GradcheckCase[] {
  const r = (shape: number[], seed: number, lo = -1, hi = 1) => randn(shape, { seed, backend }).clamp(-2, 2).mul((hi - lo) / 4).add((hi + lo) / 2);
  const pos = (shape: number[], seed: number) => r(shape, seed, 0.5, 2);
  const t = (values: number[]) => tensor(values, { backend });
  const weights = r([9, 5, 7], 32, 0.2, 1); // smoothMaxPool's fixed bump weights
  return [
    ['add broadcast', (a, b) => a.add(b), [r([2, 3], 1), r([3], 2)]],
    ['sub', (a, b) => a.sub(b), [r([2, 3], 1), r([2, 1], 2)]],
    ['mul', (a, b) => a.mul(b), [r([2, 3], 1), r([1, 3], 2)]],
    ['div', (a, b) => a.div(b), [r([2, 3], 1), pos([2, 3], 2)]],
    ['maximum', (a, b) => a.maximum(b), [t([0.1, -0.5, 0.9, 0.3]), t([0.4, -0.9, 0.2, 0.7])]],
    ['minimum', (a, b) => a.minimum(b), [t([0.1, -0.5, 0.9, 0.3]), t([0.4, -0.9, 0.2, 0.7])]],
    ['squeeze unsqueeze sum-all', (a) => a.unsqueeze(0).squeeze(0).unsqueeze(-1).mul(r([2, 3, 1], 3)).sum(), [r([2, 3], 4)]],
    ['pow tensor', (a, b) => a.pow(b), [pos([4], 1), r([4], 2)]],
    ['neg exp', (a) => a.neg().exp(), [r([4], 3)]],
    ['log', (a) => a.log(), [pos([4], 3)]],
    ['sqrt', (a) => a.sqrt(), [pos([4], 3)]],
    ['rsqrt', (a) => a.rsqrt(), [pos([4], 3)]],
    ['tanh', (a) => a.tanh(), [r([4], 3)]],
    ['erf', (a) => a.erf(), [r([4], 3)]],
    ['gelu', (a) => a.gelu(), [r([6], 3, -3, 3)]],
    ['gelu(x + bias)', (a, b) => a.gelu(b), [r([3, 4], 3, -3, 3), r([4], 4)]],
    ['relu', (a) => a.relu(), [t([-0.8, -0.3, 0.2, 0.6, 1.1, -1.2])]], // away from the kink at 0
    ['sigmoid', (a) => a.sigmoid(), [r([4], 3)]],
    ['abs', (a) => a.abs(), [t([-0.8, -0.3, 0.2, 0.6, 1.1, -1.2])]],
    ['pow scalar', (a) => a.pow(3), [r([4], 3)]],
    ['clamp', (a) => a.clamp(-0.3, 0.4), [t([-0.8, -0.2, 0.1, 0.35, 0.6, -0.5])]],
    ['where', (c, a, b) => where(c.gt(0), a, b), [r([5], 1), r([5], 2), r([1], 3)]],
    ['lerp (a mask broadcast over channels)', (s, e, w) => lerp(s, e, w), [r([2, 3, 4], 1), r([2, 3, 4], 2), r([2, 1, 4], 3, 0, 1)]],
    ['sum axes', (a) => a.sum([0, 2], true), [r([2, 3, 4], 7)]],
    ['mean', (a) => a.mean(1), [r([2, 3, 4], 7)]],
    ['max', (a) => a.max(-1), [r([3, 5], 8)]],
    ['softmax', (a) => a.softmax(0), [r([4, 3], 9, -2, 2)]],
    ['logSoftmax', (a) => a.logSoftmax(-1), [r([3, 4], 9, -2, 2)]],
    ['matmul batched + broadcast', (a, b) => a.matmul(b), [r([2, 3, 4], 10), r([4, 2], 11)]],
    ['matmul transposed view', (a, b) => a.matmul(b.transpose()), [r([3, 4], 10), r([5, 4], 11)]],
    ['permute reshape', (a) => a.permute([2, 0, 1]).reshape([4, 6]).mul(r([4, 6], 3)), [r([2, 3, 4], 12)]],
    ['expand slice', (a) => a.expand([3, 2, 4]).slice(2, 1, 3).mul(r([3, 2, 2], 4)), [r([2, 4], 13)]],
    // pieces used twice, once not at all, and the middle of a permuted view (backward.ts joins them)
    ['unbind joint', (a) => {
      const [p, , q] = a.permute([1, 0, 2]).unbind(1);
      return p.mul(q).add(q.mul(r([3, 4], 30)));
    }, [r([3, 3, 4], 31)]],
    ['concat', (a, b) => a.concat([b], 1).mul(r([2, 5], 5)), [r([2, 2], 14), r([2, 3], 15)]],
    ['gather', (a) => a.gather(1, [2, 0, 2]), [r([2, 3], 16)]],
    ['flip', (a) => a.flip(0).mul(r([3, 2], 6)), [r([3, 2], 17)]],
    ['pad constant', (a) => a.pad([[1, 2]], 'constant', 0.5).mul(r([2, 6], 7)), [r([2, 3], 18)]],
    ['pad reflect', (a) => a.pad([[2, 1], [1, 2]], 'reflect').mul(r([1, 7, 7], 8)), [r([1, 4, 4], 19)]],
    ['conv2d', (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1 }), [r([1, 2, 5, 5], 20), r([3, 2, 3, 3], 21), r([3], 22)]],
    ['conv2d as patches (stride = kernel)', (x, w, b) => conv2d(x, w, b, { stride: 2 }), [r([2, 3, 4, 6], 20), r([5, 3, 2, 2], 21), r([5], 22)]],
    ['conv2d groups', (x, w) => conv2d(x, w, null, { groups: 2 }), [r([1, 2, 4, 4], 20), r([2, 1, 2, 2], 21)]],
    ['resizeBilinear up', (a) => a.resizeBilinear(7, 9), [r([1, 1, 3, 4], 23)]],
    ['resizeBilinear down', (a) => a.resizeBilinear(3, 2), [r([2, 7, 5], 24)]],
    ['layerNorm', (x, g, b) => x.layerNorm(g, b, 1e-5), [r([3, 5], 25), r([5], 26), r([5], 27)]],
    ['crossEntropy', (z) => crossEntropy(z, [2, 0, 1]), [r([3, 4], 28, -2, 2)]],
    // values at least 0.05 apart, so that ±eps never reorders them
    ['sort along both axes', (a) => sort(a, -1).add(sort(a, 0)).mul(r([3, 4], 29)),
      [t([0.9, -0.4, 0.3, 1.5, -1.2, 0.05, 0.6, -0.8, 1.1, -0.1, 0.45, 1.3]).reshape([3, 4])]],
    ['smoothMaxPool (a 2×3 grid to 5×7 pixels, margin 1)', (a) => smoothMaxPool(a, weights, { step: 2, radius: 1, coldness: 5, pad: 1 }).mul(r([2, 5, 7], 30)),
      [r([2, 2, 3], 31, 0, 1)]],
  ];
}
