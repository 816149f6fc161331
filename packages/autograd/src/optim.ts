/**
 * Optimizers that update leaf tensors in place from their .grad:
 * SGD with momentum, Adam (Kingma & Ba 2015) and AdamW (decoupled weight
 * decay, Loshchilov & Hutter 2019). Updates are tensor ops under noGrad,
 * so they run as kernels on the parameters' backend.
 */
import { scalar, zeros } from './create.js';
import { noGrad } from './grad-mode.js';
import { add, div, mul, sub } from './ops/binary.js';
import { contiguous } from './ops/movement.js';
import { sqrt } from './ops/unary.js';
import type { Tensor } from './tensor.js';

export abstract class Optimizer {
  readonly params: Tensor[];

  constructor(params: Iterable<Tensor>) {
    this.params = [...params];
    for (const p of this.params) {
      if (!p.requiresGrad) throw new Error(`optimizer: parameter ${p.name ?? `[${p.shape.join(', ')}]`} does not require grad`);
    }
  }

  /** Clear every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Apply one update from the current gradients (parameters without one are skipped). */
  step(): void {
    noGrad(() => this.params.forEach((p, i) => {
      if (p.grad) p.assign(Float32Array.from(contiguous(this.update(p, p.grad, i)).contiguousData()));
    }));
  }

  protected abstract update(p: Tensor, g: Tensor, index: number): Tensor;
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
    let d = weightDecay ? add(g, mul(p, weightDecay)) : g;
    if (momentum) {
      const v = this.velocity.get(i);
      d = v ? add(mul(v, momentum), d) : d;
      this.velocity.set(i, d);
    }
    return sub(p, mul(d, lr));
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
    const g = weightDecay && !this.decoupled ? add(grad, mul(p, weightDecay)) : grad;
    const m = add(mul(this.m.get(i) ?? zeros(p.shape, { backend: p.backend }), beta1), mul(g, 1 - beta1));
    const v = add(mul(this.v.get(i) ?? zeros(p.shape, { backend: p.backend }), beta2), mul(mul(g, g), 1 - beta2));
    this.m.set(i, m);
    this.v.set(i, v);
    // bias corrections as scalar tensors: the kernels do not change from step to step
    const mHat = div(m, scalar(1 - beta1 ** this.t, p.backend));
    const vHat = div(v, scalar(1 - beta2 ** this.t, p.backend));
    const base = this.decoupled && weightDecay ? mul(p, scalar(1 - lr * weightDecay, p.backend)) : p;
    return sub(base, mul(div(mHat, add(sqrt(vHat), eps)), lr));
  }
}

/** Adam with decoupled weight decay: p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...opts });
  }
}
