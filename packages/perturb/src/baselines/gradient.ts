/**
 * Gradient saliency (Simonyan, Vedaldi & Zisserman 2014): how much a small
 * change of each pixel moves the target probability,
 *   S(u) = max_channel |∂ f_c(normalize(x)) / ∂ x(channel, u)|
 * with f_c the softmax probability of the target class. One forward and one
 * backward for the whole batch: the images do not interact, so the gradient
 * of Σ_n f_{c_n}(x_n) with respect to x_n is that of image n alone.
 */
import { tidy, type Tensor } from '@maskgrad/autograd';
import { targetProbability, type Classifier } from '../objective.js';
import { checkBatch } from './saliency.js';

export async function gradientSaliency(model: Classifier, x: Tensor, targets: readonly number[]): Promise<Float32Array[]> {
  const [n, c, h, w] = checkBatch(x, targets);
  const leaf = x.detach().setRequiresGrad(true);
  // the forward and backward's tensors go with the scope; the leaf keeps its gradient
  tidy(() => targetProbability(model.forward(model.normalize(leaf)), targets).sum().backward());
  let g: Float32Array;
  try {
    g = await leaf.grad!.data();
  } finally {
    leaf.dispose(); // and its gradient
  }
  const plane = h * w;
  return Array.from({ length: n }, (_, k) => {
    const s = new Float32Array(plane);
    for (let ch = 0; ch < c; ch++) {
      const base = (k * c + ch) * plane;
      for (let i = 0; i < plane; i++) s[i] = Math.max(s[i], Math.abs(g[base + i]));
    }
    return s;
  });
}
