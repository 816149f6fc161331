/**
 * One Adam / AdamW step (Kingma & Ba 2015; Loshchilov & Hutter 2019) as a
 * single kernel, with the explainer's clamp folded in:
 *   g ← g + λ·p                          (Adam's L2 weight decay)
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
 *   p ← p·(1 − lr·λ)                     (AdamW's decoupled decay)
 *   p ← clamp(p − lr·(m / bc1) / (√(v / bc2) + ε), lo, hi),  bc_i = 1 − β_i^t
 * The kernel's output is [p, m, v] laid end to end (3·N values; the caller
 * views the three parts): one kernel per step instead of about twelve.
 * The step-dependent scalars (lr, bc1, bc2) are kernel arguments, so one
 * compiled kernel serves every step.
 */
import type { Backend, Data } from './backend.js';
import { int, lit } from './codegen.js';

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Decay the weights directly (AdamW) rather than through the gradient (Adam). */
  decoupled: boolean;
  /** The step number t ≥ 1 (for the bias corrections). */
  step: number;
  /** Clamp the updated parameters to [lo, hi] (the explainer's mask in [0, 1]); ±Infinity for none. */
  lo: number;
  hi: number;
}

export interface AdamState<T = Data> {
  p: T;
  m: T;
  v: T;
}

/** One step: [p, m, v] after it, laid end to end (3·N values). */
export function adamKernel(backend: Backend, s: AdamState, grad: Data, h: AdamHyper): Data {
  const n = s.p.length;
  for (const [name, a] of [['m', s.m], ['v', s.v], ['the gradient', grad]] as const) {
    if (a.length !== n) throw new Error(`adam: ${name} has ${a.length} values, expected ${n} (one per parameter)`);
  }
  if (!(h.step >= 1)) throw new Error(`adam: step is ${h.step}, expected t ≥ 1 (count steps from 1)`);
  const l2 = !h.decoupled && h.weightDecay ? ` + ${lit(h.weightDecay)} * pv` : '';
  const clampLo = Number.isFinite(h.lo) ? `Math.max(q, ${lit(h.lo)})` : 'q';
  const clamped = Number.isFinite(h.hi) ? `Math.min(${clampLo}, ${lit(h.hi)})` : clampLo;
  const source = `function(p, g, m, v, lr, bc1, bc2) {
  const which = Math.floor(this.thread.x / ${int(n)});
  const i = this.thread.x - which * ${int(n)};
  const pv = p[i];
  const gv = g[i]${l2};
  const mv = ${lit(h.beta1)} * m[i] + ${lit(1 - h.beta1)} * gv;
  const vv = ${lit(h.beta2)} * v[i] + ${lit(1 - h.beta2)} * gv * gv;
  const base = ${h.decoupled && h.weightDecay ? `pv * (1.0 - lr * ${lit(h.weightDecay)})` : 'pv'};
  const q = base - lr * (mv / bc1) / (Math.sqrt(vv / bc2) + ${lit(h.eps)});
  const pn = ${clamped};
  return which < 1 ? pn : (which < 2 ? mv : vv);
}`;
  const args = { p: 'Array', g: 'Array', m: 'Array', v: 'Array', lr: 'Float', bc1: 'Float', bc2: 'Float' } as const;
  const bc1 = 1 - h.beta1 ** h.step;
  const bc2 = 1 - h.beta2 ** h.step;
  return backend.run({ name: `adam ${n}${h.decoupled ? ' (decoupled decay)' : ''}`, source, output: 3 * n, args }, [s.p, grad, s.m, s.v, h.lr, bc1, bc2]);
}

/** The unfused update as autograd's Adam composes it (float64 steps), then the clamp. */
export function adamReference(s: AdamState<Float32Array>, grad: Float32Array, h: AdamHyper): AdamState<Float32Array> {
  const { lr, beta1, beta2, eps, weightDecay: wd } = h;
  const g = Float64Array.from(grad, (v, i) => (wd && !h.decoupled ? v + wd * s.p[i] : v));
  const m = g.map((v, i) => beta1 * s.m[i] + (1 - beta1) * v);
  const v = g.map((x, i) => beta2 * s.v[i] + (1 - beta2) * x * x);
  const mHat = m.map((x) => x / (1 - beta1 ** h.step));
  const vHat = v.map((x) => x / (1 - beta2 ** h.step));
  const base = Float64Array.from(s.p, (x) => (h.decoupled && wd ? x * (1 - lr * wd) : x));
  const p = base.map((x, i) => Math.min(Math.max(x - lr * (mHat[i] / (Math.sqrt(vHat[i]) + eps)), h.lo), h.hi));
  return { p: Float32Array.from(p), m: Float32Array.from(m), v: Float32Array.from(v) };
}
