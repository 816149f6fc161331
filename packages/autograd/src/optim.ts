/**
 * Optimizers that update leaf tensors in place from their .grad:
 * SGD with momentum, Adam (Kingma & Ba 2015) and AdamW (decoupled weight
 * decay, Loshchilov & Hutter 2019). Updates are kernels on the parameters'
 * backend; nothing is read back. The state (momentum, moments) outlives
 * any tidy() scope the step runs in; the temporaries of a step do not.
 */
import { UNARY } from '@maskgrad/kernels';
import { scalar, zeros } from './create.js';
import * as U from './ops/untracked.js';
import type { Tensor } from './tensor.js';
import { keep, tidy } from './tidy.js';

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
  step(): void {
    tidy(() => this.params.forEach((p, i) => {
      if (p.grad) p.assign(this.update(p, p.grad, i));
    }));
  }

  protected abstract update(p: Tensor, g: Tensor, index: number): Tensor;

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

  protected update(p: Tensor, g: Tensor, i: number): Tensor {
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
}

export class Adam extends Optimizer {
  protected readonly m = new Map<number, Tensor>();
  protected readonly v = new Map<number, Tensor>();
  protected t = 0;
  protected readonly decoupled: boolean = false;
  readonly opts: Required<AdamOptions>;

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params);
    this.opts = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...opts };
  }

  override step(): void {
    this.t++;
    super.step();
  }

  protected update(p: Tensor, grad: Tensor, i: number): Tensor {
    const { lr, beta1, beta2, eps, weightDecay } = this.opts;
    const g = weightDecay && !this.decoupled ? U.add(grad, U.mul(p, weightDecay)) : grad;
    const m = U.add(U.mul(this.m.get(i) ?? zeros(p.shape, { backend: p.backend }), beta1), U.mul(g, 1 - beta1));
    const v = U.add(U.mul(this.v.get(i) ?? zeros(p.shape, { backend: p.backend }), beta2), U.mul(U.mul(g, g), 1 - beta2));
    this.setState(this.m, i, m);
    this.setState(this.v, i, v);
    // bias corrections as scalar tensors: the kernels do not change from step to step
    const mHat = U.div(m, scalar(1 - beta1 ** this.t, p.backend));
    const vHat = U.div(v, scalar(1 - beta2 ** this.t, p.backend));
    const base = this.decoupled && weightDecay ? U.mul(p, scalar(1 - lr * weightDecay, p.backend)) : p;
    return U.sub(base, U.mul(U.div(mHat, U.add(U.map(UNARY.sqrt, vHat), eps)), lr));
  }
}

/** Adam with decoupled weight decay: p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...opts });
  }
}
