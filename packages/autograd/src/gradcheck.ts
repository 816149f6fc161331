/**
 * Check analytic gradients against central finite differences computed in
 * float64 on the reference side: the function is evaluated with each input
 * element nudged by ±h, the outputs summed in float64. Asynchronous: every
 * evaluation is read back (on webgpu too).
 */
import { tensor } from './create.js';
import { noGrad } from './grad-mode.js';
import { tidy, type Tensor } from './tensor.js';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /** Allowed |analytic − numeric| ≤ atol + rtol·|numeric|. */
  atol?: number;
  rtol?: number;
  /** Weights for a random projection of a non-scalar output (fixed seed). */
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  maxError: number;
  /** Where the worst mismatch is: input index, element, analytic, numeric. */
  worst: { input: number; element: number; analytic: number; numeric: number } | null;
}

function projectionWeights(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296) * 2 - 1;
  });
}

/** fn maps the inputs to a tensor; the check differentiates Σ w ⊙ fn(inputs) for fixed random w. */
export async function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): Promise<GradcheckResult> {
  const eps = opts.eps ?? 1e-2;
  const atol = opts.atol ?? 1e-3;
  const rtol = opts.rtol ?? 1e-2;
  const base = await Promise.all(inputs.map((x) => x.data()));
  const leaves = inputs.map((x, k) => tensor(Float32Array.from(base[k]), x.shape, { requiresGrad: true, backend: x.backend }));
  const out = fn(...leaves);
  const w = projectionWeights(out.size, opts.seed ?? 1);
  out.backward(tensor(Float32Array.from(w), out.shape, { backend: out.backend }));
  const analytic = await Promise.all(leaves.map((l) => (l.grad ? l.grad.data() : new Float32Array(l.size))));
  const evalAt = async (values: Float32Array[]): Promise<number> => {
    const y = tidy(() => noGrad(() => fn(...values.map((v, k) => tensor(v, inputs[k].shape, { backend: inputs[k].backend })))));
    const data = await y.data();
    y.dispose();
    let s = 0;
    for (let i = 0; i < data.length; i++) s += w[i] * data[i];
    return s;
  };
  let worst: GradcheckResult['worst'] = null;
  let maxError = 0;
  let ok = true;
  for (const [k, leaf] of leaves.entries()) {
    for (let e = 0; e < leaf.size; e++) {
      const orig = base[k][e];
      base[k][e] = orig + eps;
      const up = await evalAt(base.map((b) => Float32Array.from(b)));
      base[k][e] = orig - eps;
      const down = await evalAt(base.map((b) => Float32Array.from(b)));
      base[k][e] = orig;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(analytic[k][e] - numeric);
      if (err > atol + rtol * Math.abs(numeric)) ok = false;
      if (err >= maxError) {
        maxError = err;
        worst = { input: k, element: e, analytic: analytic[k][e], numeric };
      }
    }
  }
  return { ok, maxError, worst };
}
