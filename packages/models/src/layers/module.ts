/**
 * Module: a named tree of parameters (as torch.nn.Module). Parameters are
 * leaf tensors; `namedParameters()` walks the tree with dotted names, and
 * `loadStateDict` fills them with strict key and shape checks. Every
 * parameter of a tree lives on the backend its root was made on.
 */
import { getBackend, tensor, type Tensor } from '@maskgrad/autograd';
import type { Backend } from '@maskgrad/kernels';
import { CheckpointError } from '../errors.js';

export interface StateEntry {
  shape: readonly number[];
  data: Float32Array;
}

export type StateDict = Map<string, StateEntry>;

export abstract class Module {
  private readonly paramMap = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  /** Where its parameters live: given at construction (a parent passes its own), else the current default backend. */
  readonly backend: Backend;

  constructor(backend?: Backend) {
    this.backend = backend ?? getBackend();
  }

  /** Register a parameter (a leaf that requires grad until frozen). */
  protected param(name: string, shape: readonly number[], init?: Float32Array): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tensor(init ?? new Float32Array(size), shape, { requiresGrad: true, backend: this.backend });
    t.name = name;
    this.paramMap.set(name, t);
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Every parameter with its dotted path, depth first in registration order. */
  *namedParameters(prefix = ''): Generator<[string, Tensor]> {
    for (const [n, t] of this.paramMap) yield [prefix + n, t];
    for (const [n, c] of this.children) yield* c.namedParameters(`${prefix}${n}.`);
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, t]) => t);
  }

  parameterCount(): number {
    return this.parameters().reduce((n, t) => n + t.size, 0);
  }

  /** Stop (or resume) computing gradients for every parameter. */
  freeze(frozen = true): this {
    for (const t of this.parameters()) t.setRequiresGrad(!frozen);
    return this;
  }

  /**
   * Copy values into the parameters. Strict: every parameter must be in
   * `state` with the same shape, and `state` must hold nothing else.
   * Checks everything before changing anything, so a failed load leaves
   * the module as it was.
   */
  loadStateDict(state: StateDict, file = '<state dict>'): void {
    const params = new Map(this.namedParameters());
    for (const [name, t] of params) {
      const e = state.get(name);
      if (!e) {
        throw new CheckpointError({ file, key: name, expected: `a tensor of shape [${t.shape.join(', ')}]`, found: 'no such key', hint: 'the checkpoint does not match this architecture; check the config' });
      }
      if (e.shape.length !== t.shape.length || e.shape.some((d, i) => d !== t.shape[i])) {
        throw new CheckpointError({ file, key: name, expected: `shape [${t.shape.join(', ')}]`, found: `shape [${e.shape.join(', ')}]`, hint: 'the config and the weights disagree' });
      }
    }
    for (const name of state.keys()) {
      if (!params.has(name)) {
        throw new CheckpointError({ file, key: name, expected: 'a key the model uses', found: 'an unexpected key', hint: 'the checkpoint has weights this architecture does not use; check the config' });
      }
    }
    for (const [name, t] of params) t.assign(Float32Array.from(state.get(name)!.data)); // a copy: the tensor owns its values
  }

  /** The parameters' current values by dotted name (copies read back from the backend). */
  async stateDict(): Promise<StateDict> {
    const out: StateDict = new Map();
    for (const [n, t] of this.namedParameters()) out.set(n, { shape: [...t.shape], data: await t.data() });
    return out;
  }
}
