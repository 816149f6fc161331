/**
 * How an op result joins the graph: it requires grad (and remembers its
 * backward rule) only if grad mode is on and some input requires grad.
 * A frozen model's ops therefore record nothing for their weights.
 */
import type { Backend } from '@maskgrad/kernels';
import { isGradEnabled } from './grad-mode.js';
import { Tensor, type GradFn } from './tensor.js';

export function result(
  data: Float32Array, shape: readonly number[], inputs: readonly Tensor[], name: string,
  backward: GradFn['backward'], backend?: Backend,
): Tensor {
  const tracked = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  return new Tensor(data, shape, {
    requiresGrad: tracked,
    gradFn: tracked ? { name, inputs, backward } : null,
    backend: backend ?? inputs[0]?.backend,
  });
}

/** A view of `base`'s data (no copy) that records a backward rule. */
export function viewResult(
  base: Tensor, shape: readonly number[], strides: readonly number[], offset: number, name: string,
  backward: GradFn['backward'],
): Tensor {
  const tracked = isGradEnabled() && base.requiresGrad;
  return new Tensor(base.buffer, shape, {
    strides, offset, requiresGrad: tracked, gradFn: tracked ? { name, inputs: [base], backward } : null, backend: base.backend,
  });
}

export function assertSameBackend(ts: readonly Tensor[]): void {
  for (const t of ts) {
    if (t.backend !== ts[0].backend) {
      throw new Error(`tensors live on different backends (${ts[0].backend.name} and ${t.backend.name}); move one with toBackend()`);
    }
  }
}
