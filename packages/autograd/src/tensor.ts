/**
 * Tensor: a strided view of float32 data on a backend, plus the graph
 * edge that produced it (micrograd's `_prev` and `_backward`, as `gradFn`).
 *
 * Ops live in ./ops, one file per op family, each op's forward beside its
 * derivative; ./methods.ts attaches them as chainable methods.
 */
import { contiguousStrides, isContiguous, materializeReference, sizeOf, type Backend, type View } from '@maskgrad/kernels';
import { getBackend } from './backend.js';
import type { PadMode } from '@maskgrad/kernels';
import type { BackwardOptions } from './backward.js';
import type { TensorLike } from './ops/binary.js';
import type { Conv2dOptions } from './ops/conv2d.js';

type Axes = number | readonly number[];

/** How an op pushes the gradient of its output back to its inputs. */
export interface GradFn {
  /** The op's name, shown by toDot. */
  name: string;
  inputs: readonly Tensor[];
  /**
   * Given dL/d(output), return dL/d(input) for each input (null where
   * `needs[i]` is false: gradients are computed only where they are used).
   */
  backward(grad: Tensor, needs: readonly boolean[]): (Tensor | null)[];
}

let nextId = 0;

export class Tensor {
  readonly id = nextId++;
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
  private storage: Float32Array | null;

  constructor(storage: Float32Array, shape: readonly number[], opts: {
    strides?: readonly number[]; offset?: number; requiresGrad?: boolean; gradFn?: GradFn | null; backend?: Backend;
  } = {}) {
    this.storage = storage;
    this.shape = [...shape];
    this.strides = opts.strides ? [...opts.strides] : contiguousStrides(shape);
    this.offset = opts.offset ?? 0;
    this.wantsGrad = opts.requiresGrad ?? false;
    this.gradFn = opts.gradFn ?? null;
    this.backend = opts.backend ?? getBackend();
  }

  /** Set for leaves that want a gradient, and for results computed from them. */
  get requiresGrad(): boolean {
    return this.wantsGrad;
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
    return this.storage === null;
  }

  /** The backing array (shared between views). Throws after dispose(). */
  get buffer(): Float32Array {
    if (!this.storage) throw new Error(`tensor${this.name ? ` '${this.name}'` : ''} [${this.shape.join(', ')}] was disposed`);
    return this.storage;
  }

  get stridedView(): View {
    return { data: this.buffer, shape: this.shape, strides: this.strides, offset: this.offset };
  }

  get isContiguous(): boolean {
    return this.offset === 0 && isContiguous(this.stridedView) && this.buffer.length === this.size;
  }

  /**
   * The elements in row-major order as a contiguous Float32Array. For a
   * contiguous tensor this is the backing array itself: do not mutate it.
   */
  contiguousData(): Float32Array {
    if (this.isContiguous) return this.buffer;
    return materializeReference(this.stridedView);
  }

  /** Read the values back (row-major copy). */
  async data(): Promise<Float32Array> {
    return this.dataSync();
  }

  dataSync(): Float32Array {
    return Float32Array.from(this.contiguousData());
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a tensor with one element, this one has shape [${this.shape.join(', ')}]`);
    return this.contiguousData()[0];
  }

  /** Nested arrays, for printing and tests. */
  async array(): Promise<unknown> {
    const d = this.dataSync();
    const build = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return d[off];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  /** A tensor sharing this one's data with no graph history and no grad. */
  detach(): Tensor {
    return new Tensor(this.buffer, this.shape, { strides: this.strides, offset: this.offset, backend: this.backend });
  }

  /**
   * Replace this leaf's values in place (optimizers do this). The new data
   * must have the same number of elements; the tensor becomes contiguous.
   */
  assign(data: Float32Array): void {
    if (this.gradFn) throw new Error('assign(): only leaf tensors can be updated in place');
    if (data.length !== this.size) throw new Error(`assign(): ${data.length} values for a tensor of ${this.size} elements`);
    this.storage = data;
    (this as { strides: readonly number[] }).strides = contiguousStrides(this.shape);
    (this as { offset: number }).offset = 0;
  }

  /** Drop the data and the graph edge now rather than at garbage collection. */
  dispose(): void {
    this.storage = null;
    this.gradFn = null;
    this.grad = null;
  }

  toString(): string {
    return `Tensor[${this.shape.join(', ')}]${this.requiresGrad ? ' requiresGrad' : ''}${this.gradFn ? ` <${this.gradFn.name}>` : ''}`;
  }
}

/** The chainable ops, attached to the prototype in ./methods.ts; each is documented in ./ops. */
export interface Tensor {
  add(b: TensorLike): Tensor;
  sub(b: TensorLike): Tensor;
  mul(b: TensorLike): Tensor;
  div(b: TensorLike): Tensor;
  maximum(b: TensorLike): Tensor;
  minimum(b: TensorLike): Tensor;
  /** x^p: a number p uses the scalar kernel, a tensor the elementwise one. */
  pow(p: TensorLike): Tensor;
  eq(b: TensorLike): Tensor;
  ne(b: TensorLike): Tensor;
  lt(b: TensorLike): Tensor;
  le(b: TensorLike): Tensor;
  gt(b: TensorLike): Tensor;
  ge(b: TensorLike): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  rsqrt(): Tensor;
  tanh(): Tensor;
  erf(): Tensor;
  gelu(): Tensor;
  relu(): Tensor;
  sigmoid(): Tensor;
  abs(): Tensor;
  clamp(lo: number, hi: number): Tensor;
  sum(axis?: Axes, keepdim?: boolean): Tensor;
  mean(axis?: Axes, keepdim?: boolean): Tensor;
  max(axis?: Axes, keepdim?: boolean): Tensor;
  argmax(axis?: number, keepdim?: boolean): Tensor;
  softmax(axis?: number): Tensor;
  logSoftmax(axis?: number): Tensor;
  matmul(b: Tensor): Tensor;
  reshape(shape: readonly number[]): Tensor;
  view(shape: readonly number[]): Tensor;
  permute(perm: readonly number[]): Tensor;
  transpose(a?: number, b?: number): Tensor;
  expand(shape: readonly number[]): Tensor;
  slice(axis: number, start: number, end?: number): Tensor;
  squeeze(axis: number): Tensor;
  unsqueeze(axis: number): Tensor;
  contiguous(): Tensor;
  flip(axis: number): Tensor;
  gather(axis: number, index: Float32Array | readonly number[]): Tensor;
  pad(pads: readonly (readonly [number, number])[], mode?: PadMode, value?: number): Tensor;
  conv2d(weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor;
  resizeBilinear(height: number, width: number): Tensor;
  layerNorm(gamma: Tensor | null, beta: Tensor | null, eps?: number): Tensor;
  concat(others: readonly Tensor[], axis?: number): Tensor;
  /** Accumulate gradients into every leaf that requires grad. */
  backward(grad?: Tensor, opts?: BackwardOptions): Promise<void>;
}
