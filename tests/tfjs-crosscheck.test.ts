/**
 * An independent cross-check of maskgrad against TensorFlow.js (cpu backend):
 * the values and the gradients of four composites, on the same seeded float32
 * inputs fed to both engines.
 *
 * Every comparison uses one tolerance, float32 on both sides:
 *   max |maskgrad − tfjs| ≤ 1e-4 · max(1, max |tfjs|)
 * (the composites are a few dozen float32 ops deep; observed differences are
 * ~1e-6 relative, so this leaves room for summation order, not for bugs).
 *
 * The maskgrad side runs on every backend testBackends() finds on this machine.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@maskgrad/autograd';
import type { Backend } from '@maskgrad/kernels';
import { seededFloats, testBackends } from '@maskgrad/kernels/testing';

const TOL = 1e-4;

/** Observed differences, printed once at the end as the summary. */
const observed: string[] = [];

function compare(label: string, actual: ArrayLike<number>, reference: ArrayLike<number>, zeroExpected = false): void {
  expect(actual.length, `${label}: length`).toBe(reference.length);
  let diff = 0;
  let refMax = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs(actual[i] - reference[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    refMax = Math.max(refMax, Math.abs(reference[i]));
  }
  const bound = TOL * Math.max(1, refMax);
  observed.push(`${label.padEnd(58)} max|Δ| = ${diff.toExponential(2)}  (max|ref| = ${refMax.toPrecision(3)}, bound ${bound.toExponential(1)})`);
  // an all-zero gradient would make the comparison vacuous, unless zero is the analytic answer
  if (zeroExpected) expect(refMax, `${label}: expected ≈ 0`).toBeLessThanOrEqual(TOL);
  else expect(refMax, `${label}: reference is ≈ 0`).toBeGreaterThan(TOL);
  expect(diff, `${label}: max|Δ| = ${diff} > ${bound}`).toBeLessThanOrEqual(bound);
}

/** The same seeded float32 data for both engines. */
interface Input { name: string; shape: number[]; data: Float32Array; zeroGrad?: boolean }
const input = (name: string, shape: number[], seed: number, lo = -1, hi = 1): Input =>
  ({ name, shape, data: seededFloats(shape.reduce((a, b) => a * b, 1), seed, lo, hi) });

const leaf = (v: Input, backend: Backend) => tensor(v.data.slice(), v.shape, { requiresGrad: true, backend });
const constant = (v: Input, backend: Backend) => tensor(v.data.slice(), v.shape, { backend });
const tfOf = (v: Input) => tf.tensor(v.data, v.shape, 'float32');

/**
 * tfjs reference: the composite's output and the gradient of loss = Σ out ⊙ R
 * with respect to each input.
 */
async function tfReference(inputs: Input[], R: Input, f: (...xs: tf.Tensor[]) => tf.Tensor) {
  const ts = inputs.map(tfOf);
  const r = tfOf(R);
  const out = f(...ts);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(ts);
  const res = { out: await out.data() as Float32Array, grads: await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>)) };
  tf.dispose([...ts, r, out, ...grads]);
  return res;
}

/** maskgrad: the same, then the cross-check of the output and every gradient. */
async function crossCheck(
  tag: string, backend: Backend, inputs: Input[], R: Input,
  mgFn: (...xs: Tensor[]) => Tensor, tfFn: (...xs: tf.Tensor[]) => tf.Tensor,
) {
  const ref = await tfReference(inputs, R, tfFn);
  const xs = inputs.map((v) => leaf(v, backend));
  const out = mgFn(...xs);
  expect(out.shape).toEqual(R.shape);
  await out.mul(constant(R, backend)).sum().backward();
  compare(`${tag} [${backend.name}] output`, await out.data(), ref.out);
  for (let i = 0; i < inputs.length; i++) {
    expect(xs[i].grad, `${inputs[i].name} got no gradient`).not.toBeNull();
    expect(xs[i].grad!.shape).toEqual(inputs[i].shape);
    compare(`${tag} [${backend.name}] d/d${inputs[i].name}`, await xs[i].grad!.data(), ref.grads[i], inputs[i].zeroGrad);
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterAll(() => {
  // the max differences per comparison, for the record
  console.log(`tfjs cross-check, tolerance max|Δ| ≤ ${TOL}·max(1, max|ref|):\n  ${observed.join('\n  ')}`);
});

describe.each(testBackends().map((b) => [b.name, b] as const))('maskgrad (%s backend) vs TensorFlow.js', (_, backend) => {
  it('ViT self-attention block: output and gradients w.r.t. x and every weight/bias', async () => {
    // tolerance: max|Δ| ≤ 1e-4 · max(1, max|tfjs|), float32 on both sides
    const T = 7, D = 12, H = 3, dh = D / H;
    const x = input('x', [1, T, D], 101);
    const ws = ['Wq', 'Wk', 'Wv', 'Wo'].map((n, i) => input(n, [D, D], 110 + i, -0.5, 0.5)); // [out, in]
    const bs = ['bq', 'bk', 'bv', 'bo'].map((n, i) => input(n, [D], 120 + i, -0.2, 0.2));
    // dL/dbk is 0 analytically: bk adds q·bk to every score in a softmax row, and
    // softmax is shift-invariant; both engines must give ≈ 0 (float32 noise)
    bs[1].zeroGrad = true;
    const R = input('R', [1, T, D], 130);

    const mg = (xx: Tensor, wq: Tensor, wk: Tensor, wv: Tensor, wo: Tensor, bq: Tensor, bk: Tensor, bv: Tensor, bo: Tensor) => {
      const heads = (t: Tensor) => t.reshape([1, T, H, dh]).permute([0, 2, 1, 3]); // [1, H, T, dh]
      const q = heads(xx.matmul(wq.transpose()).add(bq));
      const k = heads(xx.matmul(wk.transpose()).add(bk));
      const v = heads(xx.matmul(wv.transpose()).add(bv));
      const attn = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(dh)).softmax(-1); // [1, H, T, T]
      const ctx = attn.matmul(v).permute([0, 2, 1, 3]).reshape([1, T, D]);
      return ctx.matmul(wo.transpose()).add(bo);
    };
    const tfn = (xx: tf.Tensor, wq: tf.Tensor, wk: tf.Tensor, wv: tf.Tensor, wo: tf.Tensor, bq: tf.Tensor, bk: tf.Tensor, bv: tf.Tensor, bo: tf.Tensor) => {
      const x2 = tf.reshape(xx, [T, D]);
      const linear = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D, false, true), b);
      const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [T, H, dh]), [1, 0, 2]); // [H, T, dh]
      const q = heads(linear(x2, wq, bq));
      const k = heads(linear(x2, wk, bk));
      const v = heads(linear(x2, wv, bv));
      const scores = tf.div(tf.matMul(q as tf.Tensor3D, k as tf.Tensor3D, false, true), Math.sqrt(dh));
      const attn = tf.softmax(scores, -1);
      const ctx = tf.reshape(tf.transpose(tf.matMul(attn as tf.Tensor3D, v as tf.Tensor3D), [1, 0, 2]), [T, D]);
      return tf.reshape(linear(ctx, wo, bo), [1, T, D]);
    };
    await crossCheck('attention', backend, [x, ...ws, ...bs], R,
      mg as (...xs: Tensor[]) => Tensor, tfn as (...xs: tf.Tensor[]) => tf.Tensor);
  });

  it('LayerNorm + exact-erf GELU MLP: output and gradients w.r.t. x, γ, β and the linear weights', async () => {
    // tolerance: max|Δ| ≤ 1e-4 · max(1, max|tfjs|), float32 on both sides
    const N = 5, D = 16, Hd = 32, eps = 1e-5;
    const x = input('x', [N, D], 201, -2, 2);
    const gamma = input('gamma', [D], 202, 0.5, 1.5);
    const beta = input('beta', [D], 203, -0.5, 0.5);
    const w1 = input('W1', [Hd, D], 204, -0.5, 0.5);
    const b1 = input('b1', [Hd], 205, -0.5, 0.5);
    const w2 = input('W2', [D, Hd], 206, -0.4, 0.4);
    const b2 = input('b2', [D], 207, -0.2, 0.2);
    const R = input('R', [N, D], 208);

    const mg = (xx: Tensor, g: Tensor, b: Tensor, fw1: Tensor, fb1: Tensor, fw2: Tensor, fb2: Tensor) =>
      xx.layerNorm(g, b, eps).matmul(fw1.transpose()).add(fb1).gelu().matmul(fw2.transpose()).add(fb2);
    const tfn = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor, fw1: tf.Tensor, fb1: tf.Tensor, fw2: tf.Tensor, fb2: tf.Tensor) => {
      // layer norm from tf.moments (biased variance, as torch.nn.functional.layer_norm)
      const { mean, variance } = tf.moments(xx, -1, true);
      const ln = tf.add(tf.mul(tf.mul(tf.sub(xx, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
      // exact GELU from primitives: 0.5·x·(1 + erf(x/√2))
      const gelu = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.mul(t, Math.SQRT1_2))));
      const h = gelu(tf.add(tf.matMul(ln as tf.Tensor2D, fw1 as tf.Tensor2D, false, true), fb1));
      return tf.add(tf.matMul(h as tf.Tensor2D, fw2 as tf.Tensor2D, false, true), fb2);
    };
    await crossCheck('layerNorm+GELU MLP', backend, [x, gamma, beta, w1, b1, w2, b2], R,
      mg as (...xs: Tensor[]) => Tensor, tfn as (...xs: tf.Tensor[]) => tf.Tensor);
  });

  it('conv2d (stride 2, padding 1) + bilinear resize to 7×6 + channel softmax: output and gradients w.r.t. x, weight, bias', async () => {
    // tolerance: max|Δ| ≤ 1e-4 · max(1, max|tfjs|), float32 on both sides
    const [C, OC, S, OH, OW] = [3, 4, 9, 7, 6];
    const x = input('x', [1, C, S, S], 301);
    const w = input('weight', [OC, C, 3, 3], 302, -0.5, 0.5);
    const b = input('bias', [OC], 303, -0.3, 0.3);
    const R = input('R', [1, OC, OH, OW], 304);
    const CS = 5; // conv output: floor((9 + 2·1 − 3) / 2) + 1 = 5, so the resize is a 5×5 → 7×6 upsample

    // The resize on the tfjs side is Ry · X · Rxᵀ with the interpolation matrices
    // built here from PyTorch's align_corners=False definition, because tfjs
    // 4.22's cpu ResizeBilinearGrad ignores halfPixelCenters (it back-projects
    // with src = dst·scale, the legacy grid) and returns its gradient with H and
    // W swapped, so tf.grad of tf.image.resizeBilinear(…, false, true) is not
    // the adjoint of its own forward. The forward of this matrix form is checked
    // against tf.image.resizeBilinear(…, false, true) below.
    const Ry = interpMatrix(CS, OH);
    const Rx = interpMatrix(CS, OW);
    const resizeTf = (nchw: tf.Tensor) => { // [1, OC, CS, CS] → [1, OC, OH, OW]
      const rows = tf.matMul(tf.reshape(nchw, [OC * CS, CS]) as tf.Tensor2D, Rx, false, true); // [OC·CS, OW]
      const t = tf.reshape(tf.transpose(tf.reshape(rows, [OC, CS, OW]), [0, 2, 1]), [OC * OW, CS]);
      const cols = tf.matMul(t as tf.Tensor2D, Ry, false, true); // [OC·OW, OH]
      return tf.reshape(tf.transpose(tf.reshape(cols, [OC, OW, OH]), [0, 2, 1]), [1, OC, OH, OW]);
    };
    const convTf = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
      const nhwc = tf.transpose(xx, [0, 2, 3, 1]) as tf.Tensor4D;
      const hwio = tf.transpose(ww, [2, 3, 1, 0]) as tf.Tensor4D; // OIHW → HWIO
      return tf.add(tf.conv2d(nhwc, hwio, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), bb); // NHWC [1, 5, 5, OC]
    };

    // the matrix-form resize reproduces tfjs's own half-pixel-centers forward for this size
    tf.tidy(() => {
      const y = convTf(tfOf(x), tfOf(w), tfOf(b));
      const builtin = tf.transpose(tf.image.resizeBilinear(y as tf.Tensor4D, [OH, OW], false, true), [0, 3, 1, 2]);
      compare(`conv+resize+softmax [${backend.name}] matrix resize vs tf.image.resizeBilinear`,
        resizeTf(tf.transpose(y, [0, 3, 1, 2])).dataSync(), builtin.dataSync());
    });

    const mg = (xx: Tensor, ww: Tensor, bb: Tensor) =>
      xx.conv2d(ww, bb, { stride: 2, padding: 1 }).resizeBilinear(OH, OW).softmax(1);
    const tfn = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
      const y = resizeTf(tf.transpose(convTf(xx, ww, bb), [0, 3, 1, 2])); // NCHW [1, OC, OH, OW]
      // tf.softmax works on the last axis: softmax over channels in NHWC, back to NCHW
      return tf.transpose(tf.softmax(tf.transpose(y, [0, 2, 3, 1]), -1), [0, 3, 1, 2]);
    };
    await crossCheck('conv+resize+softmax', backend, [x, w, b], R,
      mg as (...xs: Tensor[]) => Tensor, tfn as (...xs: tf.Tensor[]) => tf.Tensor);
    tf.dispose([Ry, Rx]);
  });

  it('gradient of sum(relu(x·w)) with x a non-contiguous (permuted) view', async () => {
    // tolerance: max|Δ| ≤ 1e-4 · max(1, max|tfjs|), float32 on both sides
    // xs is stored [K, B, M]; x = permute(xs, [1, 2, 0]) is a [B, M, K] view with strides [M, 1, B·M]
    const [B, M, K, N] = [2, 5, 6, 4];
    const xs = input('xStorage', [K, B, M], 401);
    const w = input('w', [K, N], 402);

    const xl = leaf(xs, backend);
    const wl = leaf(w, backend);
    const xv = xl.permute([1, 2, 0]);
    expect(xv.shape).toEqual([B, M, K]);
    expect(xv.strides).toEqual([M, 1, B * M]); // really a non-contiguous view of xl's storage
    const y = xv.matmul(wl).relu().sum();
    await y.backward();

    const f = (a: tf.Tensor, ww: tf.Tensor) =>
      tf.sum(tf.relu(tf.matMul(tf.reshape(tf.transpose(a, [1, 2, 0]), [B * M, K]) as tf.Tensor2D, ww as tf.Tensor2D)));
    const [ta, tw] = [tfOf(xs), tfOf(w)];
    const { value, grads } = tf.valueAndGrads(f)([ta, tw]);
    compare(`relu(x·w) non-contiguous [${backend.name}] value`, [await y.item()], await value.data());
    compare(`relu(x·w) non-contiguous [${backend.name}] d/dx (through the permute)`, await xl.grad!.data(), await grads[0].data());
    compare(`relu(x·w) non-contiguous [${backend.name}] d/dw`, await wl.grad!.data(), await grads[1].data());
    tf.dispose([ta, tw, value, ...grads]);
  });
});

/**
 * PyTorch's F.interpolate(mode='bilinear', align_corners=False) along one
 * axis as an [out, in] matrix: src = (dst + 0.5)·in/out − 0.5, clamped below
 * at 0; taps floor(src) and min(floor(src) + 1, in − 1) with weights 1 − λ, λ.
 */
function interpMatrix(inSize: number, outSize: number): tf.Tensor2D {
  const m = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const src = Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5);
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const lambda = src - i0;
    m[o * inSize + i0] += 1 - lambda;
    m[o * inSize + i1] += lambda;
  }
  return tf.tensor2d(m, [outSize, inSize]);
}
