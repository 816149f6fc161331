/**
 * How an op result joins the graph: it requires grad (and remembers its
 * backward rule) only if grad mode is on and some input requires grad.
 * A frozen model's ops therefore record nothing for their weights.
 */
import type { Backend } from '@maskgrad/kernels';
import { twoCopiesError } from './engine-copies.js';
import { isGradEnabled } from './grad-mode.js';
import { Tensor, type GradFn } from './tensor.js';

/**
 * The backend all of `ts` live on; a clear error when they differ (checked
 * before any kernel runs), or when one was made by another copy of this
 * package (./engine-copies.ts).
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
