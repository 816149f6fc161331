/**
 * Layer normalization over the last axis (torch.nn.functional.layer_norm).
 * With x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = x̂·γ + β:
 *   dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = g ⊙ γ
 *   dγ = Σ g ⊙ x̂,  dβ = Σ g  (over all but the last axis)
 */
import { layerNormKernel } from '@maskgrad/kernels';
import { backendOf, record } from '../record.js';
import { Tensor } from '../tensor.js';
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
  const mu = new Tensor(out.mean, statShape, { backend });
  const r = new Tensor(out.rstd, statShape, { backend });
  return record(new Tensor(out.y, x.shape, { backend }), [x, ...params], 'layerNorm', (grad, needs) => {
    const last = [grad.rank - 1];
    const mean = (t: Tensor) => U.mul(U.sum(t, last), 1 / cols);
    const xhat = U.mul(U.sub(c, mu), r);
    const ghat = gamma ? U.mul(grad, gamma) : grad;
    const dx = needs[0] ? U.mul(r, U.sub(U.sub(ghat, mean(ghat)), U.mul(xhat, mean(U.mul(ghat, xhat))))) : null;
    const lead = x.shape.slice(0, -1).map((_, i) => i);
    const grads: (Tensor | null)[] = [dx];
    if (gamma) grads.push(needs[1] ? U.reshape(U.sum(U.mul(grad, xhat), lead), [cols]) : null);
    if (beta) grads.push(needs[grads.length] ? U.reshape(U.sum(grad, lead), [cols]) : null);
    return grads;
  });
}
