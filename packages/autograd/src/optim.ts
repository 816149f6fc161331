/**
 * Optimizers that update leaf tensors in place from their .grad:
 * SGD with momentum, Adam (Kingma & Ba 2015) and AdamW (decoupled weight
 * decay, Loshchilov & Hutter 2019). Updates are kernels on the parameters'
 * backend; nothing is read back. The state (momentum, moments) outlives
 * any tidy() scope the step runs in; the temporaries of a step do not.
 */
import { adamKernel, concatKernel, contiguousStrides, UNARY, type AdamHyper } from '@maskgrad/kernels';
import * as U from './ops/untracked.js';
import { keep, Tensor, tidy } from './tensor.js';

export abstract class Optimizer {
  readonly params: Tensor[];

  constructor(params: Iterable<Tensor>) {
    this.params = [...params];
    for (const p of this.params) {
      if (!p.requiresGrad) throw new Error(`optimizer: parameter ${p.name ?? `[${p.shape.join(', ')}]`} does not require grad`);
    }
  }

  /** Clear every parameter's gradient (and free it). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Apply one update from the current gradients (parameters without one are skipped). */
  abstract step(): void;

  /** The optimizer's state tensors (moments, velocities), by parameter index. */
  protected stateMaps(): Map<number, Tensor>[] {
    return [];
  }

  /**
   * Free the gradients and the state now rather than at garbage collection
   * (device memory). The parameters keep their values; stepping again starts
   * the state afresh.
   */
  dispose(): void {
    this.zeroGrad();
    for (const map of this.stateMaps()) {
      for (const t of map.values()) t.dispose();
      map.clear();
    }
  }

  /** Replace a piece of state, keeping the new one past the step's scope and freeing the old. */
  protected setState(map: Map<number, Tensor>, i: number, t: Tensor): Tensor {
    map.get(i)?.dispose();
    map.set(i, keep(t));
    return t;
  }
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  private readonly velocity = new Map<number, Tensor>();

  constructor(params: Iterable<Tensor>, readonly opts: SGDOptions) {
    super(params);
  }

  protected override stateMaps(): Map<number, Tensor>[] {
    return [this.velocity];
  }

  step(): void {
    tidy(() => this.params.forEach((p, i) => {
      if (p.grad) p.assign(this.update(p, p.grad, i));
    }));
  }

  private update(p: Tensor, g: Tensor, i: number): Tensor {
    const { lr, momentum = 0, weightDecay = 0 } = this.opts;
    let d = weightDecay ? U.add(g, U.mul(p, weightDecay)) : g;
    if (momentum) {
      const v = this.velocity.get(i);
      // a copy on the first step: the state must not share the gradient that zeroGrad() frees
      d = this.setState(this.velocity, i, v ? U.add(U.mul(v, momentum), d) : U.map(UNARY.copy, d));
    }
    return U.sub(p, U.mul(d, lr));
  }
}

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty added to the gradient (Adam) or decoupled decay (AdamW). */
  weightDecay?: number;
  /** Project the parameters onto [lo, hi] after each step (the explainer's mask lives in [0, 1]). */
  clamp?: readonly [number, number];
}

/**
 * Adam: one fused kernel per parameter and step (@maskgrad/kernels'
 * adamKernel: moments, bias corrections, weight decay and the clamp). Its
 * state is [p, m, v] laid end to end; the parameter becomes a view of the
 * first third, so the next step reads it where the last one wrote it.
 */
export class Adam extends Optimizer {
  protected readonly state = new Map<number, Tensor>();

  protected override stateMaps(): Map<number, Tensor>[] {
    return [this.state];
  }

  override dispose(): void {
    super.dispose();
    this.t = 0;
  }
  protected t = 0;
  protected readonly decoupled: boolean = false;
  readonly opts: Required<Omit<AdamOptions, 'clamp'>> & Pick<AdamOptions, 'clamp'>;

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params);
    this.opts = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...opts };
    const c = this.opts.clamp;
    if (c && !(c[0] <= c[1])) throw new Error(`Adam: clamp [${c[0]}, ${c[1]}] is empty; give [lo, hi] with lo <= hi`);
  }

  step(): void {
    this.t++;
    const { lr, beta1, beta2, eps, weightDecay, clamp } = this.opts;
    const h: AdamHyper = {
      lr, beta1, beta2, eps, weightDecay, decoupled: this.decoupled, step: this.t, lo: clamp?.[0] ?? -Infinity, hi: clamp?.[1] ?? Infinity,
    };
    tidy(() => this.params.forEach((p, i) => {
      if (!p.grad) return;
      const backend = p.backend;
      const n = p.size;
      let s = this.state.get(i);
      if (!s || p.storage !== s.storage || p.offset !== 0) {
        // the first step, or the parameter was assigned since: [p, m, v] from p and the moments so far
        const moments = s ? U.contiguous(U.view(s, [2 * n], [1], n)) : new Tensor(backend.upload(new Float32Array(2 * n)), [2 * n]);
        s = new Tensor(concatKernel(backend, [U.contiguous(p).storage, moments.storage], [n, 2 * n], 1, 1), [3 * n]);
      }
      const next = new Tensor(adamKernel(backend, s.storage, U.contiguous(p.grad).storage, h), [3 * n]);
      this.setState(this.state, i, next);
      p.assign(U.view(next, p.shape, contiguousStrides(p.shape), 0));
    }));
  }
}

/** Adam with decoupled weight decay: p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...opts });
  }
}
