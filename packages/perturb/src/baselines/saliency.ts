/**
 * What every saliency method shares: the signature
 *   (model, x [N, 3, H, W] pixels in [0, 1], targets, options) → one map [H·W] per image,
 * higher = more important, and running batches of masked images through
 * the model for their target probabilities.
 */
import { noGrad, tensor, tidy, type Tensor } from '@maskgrad/autograd';
import { targetProbability, type Classifier } from '../objective.js';

export type SaliencyFn<O = object> = (model: Classifier, x: Tensor, targets: readonly number[], options?: O) => Promise<Float32Array[]>;

/** [N, C, H, W] with one target per image, or an error saying what was found. */
export function checkBatch(x: Tensor, targets: readonly number[]): [number, number, number, number] {
  if (x.rank !== 4) throw new Error(`saliency: expected images [N, 3, H, W] of pixels in [0, 1], got [${x.shape.join(', ')}]`);
  const [n, c, h, w] = x.shape;
  if (targets.length !== n) throw new Error(`saliency: ${n} images but ${targets.length} targets; give one target class per image`);
  return [n, c, h, w];
}

/**
 * Sample i of a masked batch: image k = `sample(i, mask)` of x, where the
 * function also writes mask M_i [H·W] (1 = keep the image's pixel).
 */
export type MaskedSample = (i: number, mask: Float32Array) => number;

/**
 * Target probabilities of `count` composites other + (x_k − other)·M_i
 * (other: a grey level, or a tensor like x, e.g. its blur), `batchSize` per
 * forward pass. Masks are made on the host and uploaded; the images never
 * leave the backend; only the probabilities are read back, once per batch.
 */
export async function maskedProbabilities(
  model: Classifier, x: Tensor, other: Tensor | number, count: number, sample: MaskedSample,
  targetAt: (i: number) => number, batchSize = 32,
): Promise<number[]> {
  const [, , h, w] = x.shape;
  const plane = h * w;
  const out: number[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const masks = new Float32Array((end - start) * plane);
    const rows: number[] = [];
    const targets: number[] = [];
    for (let i = start; i < end; i++) {
      rows.push(sample(i, masks.subarray((i - start) * plane, (i - start + 1) * plane)));
      targets.push(targetAt(i));
    }
    // noGrad: a model that is being trained records nothing here
    const p = tidy(() => noGrad(() => {
      const m = tensor(masks, [end - start, 1, h, w], { backend: x.backend });
      const images = x.gather(0, rows);
      const base = typeof other === 'number' ? other : other.gather(0, rows);
      const composite = images.sub(base).mul(m).add(base);
      return targetProbability(model.forward(model.normalize(composite)), targets);
    }));
    out.push(...(await p.data()));
    p.dispose();
    await new Promise((resolve) => setTimeout(resolve, 0)); // let progress output and timers run
  }
  return out;
}
