/**
 * Layer normalization over the last axis (torch.nn.functional.layer_norm).
 * With x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = x̂·γ + β:
 *   dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = g ⊙ γ
 *   dγ = Σ g ⊙ x̂,  dβ = Σ g  (over all but the last axis)
 */
import { layerNormKernel } from '@maskgrad/kernels';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { mul, sub } from './binary.js';
import { contiguous, reshape } from './movement.js';
import { mean, sum } from './reduce.js';

export function layerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps = 1e-5): Tensor {
  const cols = x.shape[x.rank - 1];
  for (const [p, name] of [[gamma, 'weight'], [beta, 'bias']] as const) {
    if (p && (p.rank !== 1 || p.shape[0] !== cols)) {
      throw new Error(`layerNorm(): ${name} has shape [${p.shape.join(', ')}], expected [${cols}]`);
    }
  }
  const c = contiguous(x);
  const rows = c.size / cols;
  const out = layerNormKernel(x.backend, c.buffer, gamma ? contiguous(gamma).buffer : null, beta ? contiguous(beta).buffer : null, rows, cols, eps);
  const inputs = [c, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  return result(out.y, x.shape, inputs, 'layerNorm', (g, needs) => {
    const statShape = [...x.shape.slice(0, -1), 1];
    const mu = result(out.mean, statShape, [], 'mean', () => []);
    const r = result(out.rstd, statShape, [], 'rstd', () => []);
    const xhat = mul(sub(c, mu), r);
    const ghat = gamma ? mul(g, gamma) : g;
    const dx = needs[0]
      ? mul(r, sub(sub(ghat, mean(ghat, -1, true)), mul(xhat, mean(mul(ghat, xhat), -1, true))))
      : null;
    const lead = x.shape.slice(0, -1).map((_, i) => i);
    const grads: (Tensor | null)[] = [dx];
    if (gamma) grads.push(needs[1] ? reshape(sum(mul(g, xhat), lead), [cols]) : null);
    if (beta) grads.push(needs[grads.length] ? reshape(sum(g, lead), [cols]) : null);
    return grads;
  });
}
