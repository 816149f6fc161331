/**
 * What every saliency method shares: the signature
 *   (model, x [N, 3, H, W] pixels in [0, 1], targets, options) → one map [H·W] per image,
 * higher = more important, and running batches of planar images through
 * the model for their target probabilities.
 */
import { noGrad, tensor, type Tensor } from '@maskgrad/autograd';
import { targetProbability, type Classifier } from '../objective.js';

export type SaliencyFn<O = object> = (model: Classifier, x: Tensor, targets: readonly number[], options?: O) => Promise<Float32Array[]>;

/** [N, C, H, W] with one target per image, or an error saying what was found. */
export function checkBatch(x: Tensor, targets: readonly number[]): [number, number, number, number] {
  if (x.rank !== 4) throw new Error(`saliency: expected images [N, 3, H, W] of pixels in [0, 1], got [${x.shape.join(', ')}]`);
  const [n, c, h, w] = x.shape;
  if (targets.length !== n) throw new Error(`saliency: ${n} images but ${targets.length} targets; give one target class per image`);
  return [n, c, h, w];
}

/** Writes image i (planar [C, H, W]) into `out`. */
export type ImageSource = (i: number, out: Float32Array) => void;

/**
 * Target probabilities of `count` images of shape [C, H, W], made on demand
 * by `imageAt` (so a long list never sits in memory whole), `batchSize` per
 * forward pass, without building a graph.
 */
export async function probabilities(
  model: Classifier, count: number, imageAt: ImageSource, targetAt: (i: number) => number,
  shape: readonly [number, number, number], batchSize = 32,
): Promise<number[]> {
  const [c, h, w] = shape;
  const size = c * h * w;
  const out: number[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const data = new Float32Array((end - start) * size);
    const targets: number[] = [];
    for (let i = start; i < end; i++) {
      imageAt(i, data.subarray((i - start) * size, (i - start + 1) * size));
      targets.push(targetAt(i));
    }
    const p = noGrad(() => targetProbability(model.forward(model.normalize(tensor(data, [end - start, c, h, w]))), targets));
    out.push(...(await p.data()));
    await new Promise((resolve) => setTimeout(resolve, 0)); // let progress output and timers run
  }
  return out;
}
