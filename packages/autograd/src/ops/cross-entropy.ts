/**
 * Mean cross-entropy of logits [N, C] against integer class labels:
 * L = −(1/N) Σ_n log softmax(z_n)[y_n]; dL/dz = (softmax(z) − onehot(y)) / N.
 */
import { noGrad } from '../grad-mode.js';
import { result } from '../record.js';
import type { Tensor } from '../tensor.js';
import { tensor } from '../create.js';
import { mul, sub } from './binary.js';
import { reshape } from './movement.js';
import { sum } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { exp } from './unary.js';

export function crossEntropy(logits: Tensor, labels: readonly number[] | Float32Array): Tensor {
  if (logits.rank !== 2) throw new Error(`crossEntropy(): logits must be [N, C], got [${logits.shape.join(', ')}]`);
  const [n, c] = logits.shape;
  if (labels.length !== n) throw new Error(`crossEntropy(): ${labels.length} labels for ${n} rows of logits`);
  const onehot = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= c) throw new Error(`crossEntropy(): label ${y} at row ${i} is not a class index in [0, ${c})`);
    onehot[i * c + y] = 1;
  }
  const target = tensor(onehot, [n, c], { backend: logits.backend });
  const lsm = noGrad(() => logSoftmax(logits, -1));
  const loss = noGrad(() => mul(sum(mul(lsm, target)), -1 / n));
  // one fused rule instead of the composite's graph: (softmax − onehot)/N
  return result(loss.buffer, [], [logits], 'crossEntropy', (g) => [
    mul(reshape(g, [1, 1]), mul(sub(exp(lsm), target), 1 / n)),
  ]);
}
