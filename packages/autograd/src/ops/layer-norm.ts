/**
 * Layer normalization over the last axis (torch.nn.functional.layer_norm).
 * With x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = x̂·γ + β:
 *   dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = g ⊙ γ
 *   dγ = Σ g ⊙ x̂,  dβ = Σ g  (over all but the last axis)
 * Forward: 3 kernels (mean, 1/std, the normalized affine). Backward: 3
 * kernels (the kernels package's layerNormBackwardKernel, tested against
 * this composition); dγ and dβ are views of one result.
 */
import { layerNormBackwardKernel, layerNormKernel } from '@maskgrad/kernels';
import { backendOf, record, Tensor } from '../tensor.js';
import * as U from './untracked.js';

export function layerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps = 1e-5): Tensor {
  const cols = x.shape[x.rank - 1];
  for (const [p, name] of [[gamma, 'weight'], [beta, 'bias']] as const) {
    if (p && (p.rank !== 1 || p.shape[0] !== cols)) {
      throw new Error(`layerNorm(): ${name} has shape [${p.shape.join(', ')}], expected [${cols}]`);
    }
  }
  const params = [gamma, beta].filter((p): p is Tensor => p !== null);
  const backend = backendOf(x, ...params);
  const c = U.contiguous(x);
  const [g, b] = [gamma, beta].map((p) => (p ? U.contiguous(p) : null));
  const rows = c.size / cols;
  const out = layerNormKernel(backend, c.storage, g?.storage ?? null, b?.storage ?? null, rows, cols, eps);
  const statShape = [...x.shape.slice(0, -1), 1];
  const mu = new Tensor(out.mean, statShape);
  const r = new Tensor(out.rstd, statShape);
  return record(new Tensor(out.y, x.shape), [x, ...params], 'layerNorm', (grad, needs) => {
    const wantParams = needs.slice(1).some(Boolean);
    const grads = layerNormBackwardKernel(backend, c.storage, U.contiguous(grad).storage, { mean: mu.storage, rstd: r.storage }, g?.storage ?? null, rows, cols, wantParams);
    const dx = new Tensor(grads.dx, x.shape);
    const both = grads.paramGrads ? new Tensor(grads.paramGrads, [2 * cols]) : null;
    const part = (k: number) => (both ? U.view(both, [cols], [1], k * cols) : null);
    return [dx, ...(gamma ? [part(0)] : []), ...(beta ? [part(1)] : [])];
  });
}

/** This file's ops as chainable methods (`x.op(...)`), registered on Tensor by ../methods.ts. */
export const layerNormMethods = {
  layerNorm(this: Tensor, gamma: Tensor | null, beta: Tensor | null, eps?: number): Tensor { return layerNorm(this, gamma, beta, eps); },
};
