/**
 * How an op result joins the graph: it requires grad (and remembers its
 * backward rule) only if grad mode is on and some input requires grad.
 * A frozen model's ops therefore record nothing for their weights.
 */
import type { Backend } from '@maskgrad/kernels';
import { isGradEnabled } from './grad-mode.js';
import { Tensor, type GradFn } from './tensor.js';

/** The backend all of `ts` live on; a clear error when they differ (checked before any kernel runs). */
export function backendOf(...ts: readonly Tensor[]): Backend {
  const b = ts[0].backend;
  for (const t of ts) {
    if (t.backend !== b) {
      throw new Error(`tensors live on different backends (${b.name} and ${t.backend.name}); move one with await t.toBackend(backend)`);
    }
  }
  return b;
}

/** Record `backward` on a fresh untracked result `out` when an input requires grad. Returns out. */
export function record(out: Tensor, inputs: readonly Tensor[], name: string, backward: GradFn['backward']): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) out.recordOp({ name, inputs, backward });
  return out;
}

/** A view of `base`'s data (no copy) that records a backward rule. */
export function viewResult(
  base: Tensor, shape: readonly number[], strides: readonly number[], offset: number, name: string,
  backward: GradFn['backward'],
): Tensor {
  const tracked = isGradEnabled() && base.requiresGrad;
  base.backend.retain(base.storage);
  return new Tensor(base.storage, shape, {
    strides, offset, requiresGrad: tracked, gradFn: tracked ? { name, inputs: [base], backward } : null, backend: base.backend,
  });
}
