/**
 * Tensor: a strided view of float32 data on a backend, plus the graph edge that produced it
 * (micrograd's `_prev` and `_backward`, as `gradFn`), and, at the end of this file, how an op's
 * result becomes that edge (record, viewResult) and why a backward rule may not call a tracked op
 * (runRule).
 *
 * The data (`TensorData`: an opaque handle of the backend that computed it) stays where the kernel
 * that made it ran. Ops chain synchronously and only reading values is asynchronous: `await
 * t.data()`, `await t.item()`. A tensor owns one reference to its data; views share the data and
 * hold a reference each. The reference is dropped by dispose(), by the tidy() scope the tensor was
 * made in (tidy(), at the end of this file), or when the tensor is garbage collected
 * (./lifetimes.ts), whichever comes first.
 *
 * Ops live in ./ops, one file per op family, each op's forward beside its derivative and its
 * method; ./methods.ts registers the methods.
 */
import { contiguousStrides, isContiguous, mapKernel, materializeReference, sizeOf, UNARY, type Backend, type TensorData, type View } from '@maskgrad/kernels';
import { twoCopiesError } from './engine-copies.js';
import { isGradEnabled } from './grad-mode.js';
import { closeScope, newTensorId, openScope, track, untrack, unwatch, watch } from './lifetimes.js';
import type { TensorMethods } from './methods.js';

export type TensorLike = Tensor | number;
export type Axes = number | readonly number[];

/** How an op pushes the gradient of its output back to its inputs. */
export interface GradFn {
  /** The op's name, shown by toDot. */
  name: string;
  inputs: readonly Tensor[];
  /**
   * Given dL/d(output), return dL/d(input) for each input (null where `needs[i]` is false:
   * gradients are computed only where they are used).
   */
  backward(grad: Tensor, needs: readonly boolean[]): (Tensor | null)[];
  /** Set on the pieces of one unbind (ops/unbind.ts): the walk joins their gradients in one step. */
  joint?: Joint;
}

/** Views of one input whose gradients join into one (a concat) rather than being summed. */
export interface Joint {
  /** Shared by the pieces of one unbind. */
  id: object;
  index: number;
  count: number;
  /** The input's gradient from the pieces' gradients (null: that piece got none). */
  join(grads: readonly (Tensor | null)[]): Tensor;
}

export class Tensor {
  readonly id = newTensorId();
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly backend: Backend;
  private wantsGrad: boolean;
  /** The op that produced this tensor (null for leaves and under noGrad). */
  gradFn: GradFn | null;
  /** Accumulated dL/d(this) after backward(), for leaves that require grad. */
  grad: Tensor | null = null;
  /** An optional label for toDot and error messages. */
  name?: string;
  private current: TensorData | null;

  /**
   * Wrap `data` (the tensor takes over one reference to it: pass a fresh kernel result, or retain()
   * shared data first). The tensor lives on the backend that made the data.
   */
  constructor(data: TensorData, shape: readonly number[], opts: {
    strides?: readonly number[]; offset?: number; requiresGrad?: boolean; gradFn?: GradFn | null;
  } = {}) {
    this.current = data;
    this.shape = [...shape];
    this.strides = opts.strides ? [...opts.strides] : contiguousStrides(shape);
    this.offset = opts.offset ?? 0;
    this.wantsGrad = opts.requiresGrad ?? false;
    this.gradFn = opts.gradFn ?? null;
    this.backend = data.backend;
    watch(this, data);
    track(this);
  }

  /** Set for leaves that want a gradient, and for results computed from them. */
  get requiresGrad(): boolean {
    return this.wantsGrad;
  }

  /** Make this fresh op result a graph node (used by the ops, through record()). */
  recordOp(gradFn: GradFn): void {
    if (this.gradFn || !this.current) throw new Error('internal: recordOp() on a tensor that is already recorded or disposed');
    this.gradFn = gradFn;
    this.wantsGrad = true;
  }

  /** Turn gradient tracking on or off for a leaf (freezing a weight, say). Returns this. */
  setRequiresGrad(flag: boolean): this {
    if (this.gradFn) throw new Error('setRequiresGrad(): only leaf tensors can change whether they require grad');
    this.wantsGrad = flag;
    if (!flag) this.grad = null;
    return this;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get disposed(): boolean {
    return this.current === null;
  }

  /** The data this tensor views (shared between views). Throws after dispose(). */
  get storage(): TensorData {
    if (!this.current) throw new Error(`tensor${this.name ? ` '${this.name}'` : ''} [${this.shape.join(', ')}] was disposed (by dispose() or the tidy() scope it was made in)`);
    return this.current;
  }

  get stridedView(): View {
    return { data: this.storage, shape: this.shape, strides: this.strides, offset: this.offset };
  }

  /** True when the data holds exactly this tensor's elements in row-major order. */
  get isContiguous(): boolean {
    return this.offset === 0 && isContiguous(this.stridedView) && this.storage.length === this.size;
  }

  /** Read the values back to the host (a row-major copy): the way to read on every backend. */
  async data(): Promise<Float32Array> {
    if (this.isContiguous) return this.backend.read(this.storage);
    const packed = mapKernel(this.backend, UNARY.copy, [this.stridedView]).data;
    try {
      return await this.backend.read(packed);
    } finally {
      this.backend.release(packed);
    }
  }

  /**
   * The values, synchronously: host backends (webasm, cpu) only. On webgpu the values are on the
   * device; this throws and names the async call.
   */
  dataSync(): Float32Array {
    const host = this.backend.readSync(this.storage);
    return this.isContiguous ? Float32Array.from(host) : materializeReference({ ...this.stridedView, data: host });
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a tensor with one element, this one has shape [${this.shape.join(', ')}]`);
    return (await this.data())[0];
  }

  /** Nested arrays, for printing and tests. */
  async array(): Promise<unknown> {
    const d = await this.data();
    const build = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return d[off];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  /** A tensor sharing this one's data with no graph history and no grad. */
  detach(): Tensor {
    this.backend.retain(this.storage);
    return new Tensor(this.storage, this.shape, { strides: this.strides, offset: this.offset });
  }

  /** A copy of this tensor (values, shape, name; no graph) on another backend. */
  async toBackend(backend: Backend): Promise<Tensor> {
    const t = new Tensor(backend.upload(await this.data()), this.shape, { requiresGrad: this.isLeaf && this.requiresGrad });
    t.name = this.name;
    return t;
  }

  /**
   * Replace this leaf's values in place (optimizers, weight loading): host values are uploaded; a
   * tensor's data is shared when it is laid out row by row (at any offset: Adam's parameters view
   * the first third of its state), and copied first when it is any other view.
   */
  assign(values: Float32Array | Tensor): void {
    if (this.gradFn) throw new Error('assign(): only leaf tensors can be updated in place');
    const n = values instanceof Tensor ? values.size : values.length;
    if (n !== this.size) throw new Error(`assign(): ${n} values for a tensor of ${this.size} elements`);
    let data: TensorData;
    let offset = 0;
    if (values instanceof Float32Array) data = this.backend.upload(values);
    else {
      if (values.backend !== this.backend) throw new Error(`assign(): the values live on ${values.backend.name}, this tensor on ${this.backend.name}`);
      if (isContiguous(values.stridedView)) {
        data = values.storage;
        offset = values.offset;
        this.backend.retain(data);
      } else data = mapKernel(this.backend, UNARY.copy, [values.stridedView]).data;
    }
    const old = this.storage;
    unwatch(this);
    this.current = data;
    watch(this, data);
    this.backend.release(old);
    (this as { strides: readonly number[] }).strides = contiguousStrides(this.shape);
    (this as { offset: number }).offset = offset;
  }

  /** Give the data back now rather than at garbage collection, with the gradient it owns; drop the graph edge. Idempotent. */
  dispose(): void {
    if (!this.current) return;
    unwatch(this);
    untrack(this);
    this.backend.release(this.current);
    this.current = null;
    this.gradFn = null;
    this.grad?.dispose();
    this.grad = null;
  }

  toString(): string {
    return `Tensor[${this.shape.join(', ')}]${this.requiresGrad ? ' requiresGrad' : ''}${this.gradFn ? ` <${this.gradFn.name}>` : ''}`;
  }
}

// How an op result joins the graph: it requires grad (and remembers its backward rule) only if
// grad mode is on and some input requires grad. A frozen model's ops therefore record nothing
// for their weights.

/**
 * The backend all of `ts` live on; a clear error when they differ (checked before any kernel runs),
 * or when one was made by another copy of this package (./engine-copies.ts).
 */
export function backendOf(...ts: readonly Tensor[]): Backend {
  const b = ts[0].backend;
  for (const t of ts) {
    if (!(t instanceof Tensor)) throw twoCopiesError() ?? new Error(`expected a Tensor, got ${String(t)}`);
    if (t.backend !== b) {
      throw new Error(`tensors live on different backends (${b.name} and ${t.backend.name}); move one with await t.toBackend(backend)`);
    }
  }
  return b;
}

/** The backward rule running now (backward.ts), or null: rules use ops/untracked.ts only. */
let runningRule: string | null = null;

/** Run the backward rule of op `name`; a tracked op called inside it is an error naming both. */
export function runRule<T>(name: string, rule: () => T): T {
  const outer = runningRule;
  runningRule = name;
  try {
    return rule();
  } finally {
    runningRule = outer;
  }
}

function refuseInRule(op: string): void {
  if (runningRule !== null) {
    throw new Error(`internal: the backward rule of '${runningRule}' called the tracked op '${op}'; rules use the functions of ops/untracked.ts only`);
  }
}

/** Record `backward` on a fresh untracked result `out` when an input requires grad. Returns out. */
export function record(out: Tensor, inputs: readonly Tensor[], name: string, backward: GradFn['backward']): Tensor {
  refuseInRule(name);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) out.recordOp({ name, inputs, backward });
  return out;
}

/** A view of `base`'s data (no copy) that records a backward rule. */
export function viewResult(
  base: Tensor, shape: readonly number[], strides: readonly number[], offset: number, name: string,
  backward: GradFn['backward'],
): Tensor {
  refuseInRule(name);
  const tracked = isGradEnabled() && base.requiresGrad;
  base.backend.retain(base.storage);
  return new Tensor(base.storage, shape, {
    strides, offset, requiresGrad: tracked, gradFn: tracked ? { name, inputs: [base], backward } : null,
  });
}

// Deterministic release (tfjs's tf.tidy): `tidy(fn)` disposes every tensor made inside fn except
// those fn returns (a tensor, or an array or plain object of them) and those passed to keep(). On
// webgpu a tensor's values are device memory the garbage collector does not see, so a loop that
// makes thousands of intermediate tensors per iteration (a forward pass, its backward, an
// optimizer step) would hold them until some collection happened to run; loops wrap each iteration
// in tidy() so device memory stays flat whatever the collector does. fn must be synchronous: a
// tensor disposed while an await is pending could still be needed.

function tensorsIn(value: unknown, out = new Set<Tensor>()): Set<Tensor> {
  if (value instanceof Tensor) out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => tensorsIn(v, out));
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    Object.values(value).forEach((v) => tensorsIn(v, out));
  }
  return out;
}

/** Run fn, then dispose what it made and did not return (the scopes: ./lifetimes.ts). */
export function tidy<T>(fn: () => T): T {
  const scope = openScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(scope, []);
    for (const t of scope) t.dispose();
    throw e;
  }
  if (result instanceof Promise) {
    closeScope(scope, []);
    throw new Error('tidy(fn) takes a synchronous function (a tensor disposed during an await could still be in use); await outside it');
  }
  const survivors = tensorsIn(result);
  closeScope(scope, survivors);
  for (const t of scope) if (!survivors.has(t as Tensor)) t.dispose();
  return result;
}

/** Keep `t` alive past every open tidy() scope (optimizer state, gradients). Returns it. */
export function keep<T extends Tensor>(t: T): T {
  untrack(t);
  return t;
}

/** The chainable ops: each defined beside its op in ./ops, registered by ./methods.ts (its types too). */
export interface Tensor extends TensorMethods {}
