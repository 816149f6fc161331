/**
 * Mean cross-entropy of logits [N, C] against integer class labels:
 * L = −(1/N) Σ_n log softmax(z_n)[y_n]; dL/dz = (softmax(z) − onehot(y)) / N.
 */
import { UNARY } from '@maskgrad/kernels';
import { tensor } from '../create.js';
import { record, type Tensor } from '../tensor.js';
import { logSoftmax } from './softmax.js';
import * as U from './untracked.js';

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
  // the untracked log-softmax of detached logits: one fused rule below replaces the composite's graph
  const lsm = logSoftmax(logits.detach());
  const loss = U.reshape(U.mul(U.sum(U.mul(lsm, target), [0, 1]), -1 / n), []);
  return record(loss, [logits], 'crossEntropy', (g) => [
    U.mul(U.reshape(g, [1, 1]), U.mul(U.sub(U.map(UNARY.exp, lsm), target), 1 / n)),
  ]);
}
