/**
 * One Adam / AdamW step (Kingma & Ba 2015; Loshchilov & Hutter 2019) as a
 * single kernel, with the explainer's clamp folded in:
 *   g ← g + λ·p                          (Adam's L2 weight decay)
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
 *   p ← p·(1 − lr·λ)                     (AdamW's decoupled decay)
 *   p ← clamp(p − lr·(m / bc1) / (√(v / bc2) + ε), lo, hi),  bc_i = 1 − β_i^t
 * The state is [p, m, v] laid end to end (3·N values) in and out: one
 * kernel per step instead of about twelve, and the parameter is a view of
 * the state's first third. The step-dependent scalars (lr, bc1, bc2) are
 * kernel arguments, so one compiled kernel serves every step.
 */
import type { Backend, TensorData } from './backend.js';
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

/** The reference's state: parameters and both moments, apart. */
export interface AdamState {
  p: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/** One step from `state` = [p, m, v] (3·N values) and the gradient (N): the state after it. */
export function adamKernel(backend: Backend, state: TensorData, grad: TensorData, h: AdamHyper): TensorData {
  const n = grad.length;
  if (state.length !== 3 * n) throw new Error(`adam: the state has ${state.length} values, expected ${3 * n} ([p, m, v] for ${n} parameters)`);
  if (!(h.step >= 1)) throw new Error(`adam: step is ${h.step}, expected t ≥ 1 (count steps from 1)`);
  const l2 = !h.decoupled && h.weightDecay ? ` + ${lit(h.weightDecay)} * pv` : '';
  const clampLo = Number.isFinite(h.lo) ? `Math.max(q, ${lit(h.lo)})` : 'q';
  const clamped = Number.isFinite(h.hi) ? `Math.min(${clampLo}, ${lit(h.hi)})` : clampLo;
  const source = `function(s, g, lr, bc1, bc2) {
  const which = Math.floor(this.thread.x / ${int(n)});
  const i = this.thread.x - which * ${int(n)};
  const pv = s[i];
  const gv = g[i]${l2};
  const mv = ${lit(h.beta1)} * s[${int(n)} + i] + ${lit(1 - h.beta1)} * gv;
  const vv = ${lit(h.beta2)} * s[${int(2 * n)} + i] + ${lit(1 - h.beta2)} * gv * gv;
  const base = ${h.decoupled && h.weightDecay ? `pv * (1.0 - lr * ${lit(h.weightDecay)})` : 'pv'};
  const q = base - lr * (mv / bc1) / (Math.sqrt(vv / bc2) + ${lit(h.eps)});
  const pn = ${clamped};
  return which < 1 ? pn : (which < 2 ? mv : vv);
}`;
  const args = { s: 'Array', g: 'Array', lr: 'Float', bc1: 'Float', bc2: 'Float' } as const;
  const bc1 = 1 - h.beta1 ** h.step;
  const bc2 = 1 - h.beta2 ** h.step;
  return backend.run({ name: `adam ${n}${h.decoupled ? ' (decoupled decay)' : ''}`, source, output: 3 * n, args }, [state, grad, h.lr, bc1, bc2]);
}

/** The unfused update as autograd's Adam composes it (float64 steps), then the clamp. */
export function adamReference(s: AdamState, grad: Float32Array, h: AdamHyper): AdamState {
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
