/**
 * Training a ViT classifier from scratch with maskgrad's own autodiff:
 * the textbook loop — shuffle, cut into minibatches, forward, cross-entropy,
 * backward, AdamW step — with a linear warm-up and a cosine learning-rate
 * decay (Loshchilov & Hutter 2017). Browser-safe; `scripts/train.mjs` runs
 * it on the shapes task to make the built-in model.
 */
import { AdamW, crossEntropy, noGrad, tidy, type Tensor } from '@maskgrad/autograd';
import { ImageClassifier, type RgbImage } from './classifier.js';
import type { VisionTransformer } from './layers/vit.js';
import { mulberry32, normal, shuffle, type Random } from './data/prng.js';

export interface LabelledImages {
  images: readonly RgbImage[];
  /** Class index of each image. */
  labels: readonly number[];
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate (reached after the warm-up). */
  lr: number;
  /** AdamW's decoupled weight decay λ (default 0.05). */
  weightDecay?: number;
  /** Seeds the shuffling and the augmentation (default 0). */
  seed?: number;
  /** Steps of linear warm-up from 0 to `lr` (default: 5% of all steps). */
  warmup?: number;
  /** After warm-up: 'cosine' decays to `minLr`; 'step' divides by 10 at 50% and 75% of the steps. */
  schedule?: 'cosine' | 'step';
  /** The floor of the cosine schedule (default lr / 100). */
  minLr?: number;
  /** Mirror each training image left–right with probability ½ (only for mirror-invariant classes). */
  hflip?: boolean;
  /**
   * Stop after this much wall time (ms). The schedule then follows
   * whichever is further along, steps or time, so the learning rate still
   * anneals to its floor when time runs out first.
   */
  timeBudgetMs?: number;
  /** Called after every step. */
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainProgress {
  epoch: number;
  /** Steps done so far (1-based), out of `steps`. */
  step: number;
  steps: number;
  /** This step's minibatch loss. */
  loss: number;
  lr: number;
  /** Training images processed so far. */
  imagesSeen: number;
  /** The fraction of the run done, by steps or by time budget (whichever is ahead). */
  progress: number;
  elapsedMs: number;
}

export interface TrainResult {
  /** The loss of every minibatch, in order. */
  losses: number[];
  /** The mean minibatch loss of each epoch (begun). */
  epochLosses: number[];
  /** Steps taken: fewer than planned when the time budget ran out. */
  steps: number;
  plannedSteps: number;
  elapsedMs: number;
}

/**
 * The learning rate at `step` (0-based, may be fractional) of `total`:
 * linear warm-up to `lr`, then cosine decay to `minLr` (or the step schedule).
 */
export function learningRate(step: number, total: number, o: Pick<TrainOptions, 'lr' | 'warmup' | 'schedule' | 'minLr'>): number {
  const warmup = o.warmup ?? Math.round(0.05 * total);
  if (step < warmup) return (o.lr * (step + 1)) / warmup;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  if (o.schedule === 'step') return o.lr * (progress < 0.5 ? 1 : progress < 0.75 ? 0.1 : 0.01);
  const minLr = o.minLr ?? o.lr / 100;
  return minLr + 0.5 * (o.lr - minLr) * (1 + Math.cos(Math.PI * progress));
}

/**
 * Fresh weights, as transformers initializes ViT: every weight matrix,
 * the class token and the position embeddings ~ N(0, 0.02²) truncated at
 * ±2σ; biases 0; LayerNorm weight 1, bias 0. (Parameters are created as
 * zeros, which would make every attention head the same.)
 */
export function initViTWeights(vit: VisionTransformer, seed: number, std = 0.02): void {
  const rng = mulberry32(seed);
  const truncatedNormal = (): number => {
    for (;;) {
      const z = normal(rng);
      if (Math.abs(z) <= 2) return z * std;
    }
  };
  for (const [name, p] of vit.namedParameters()) {
    const isNorm = /(^|\.)(norm\d?|fcNorm)\.(weight|bias)$/.test(name);
    if (isNorm) p.assign(new Float32Array(p.size).fill(name.endsWith('weight') ? 1 : 0));
    else if (name.endsWith('bias')) p.assign(new Float32Array(p.size));
    else p.assign(Float32Array.from({ length: p.size }, truncatedNormal));
  }
}

/** A left–right mirror of an RGB8 image. */
function mirror(img: RgbImage): RgbImage {
  const { width, height, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [from, to] = [(y * width + x) * 3, (y * width + width - 1 - x) * 3];
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { width, height, data: out };
}

/** RGB8 images → the model's normalized input [N, 3, S, S]. */
function toInput(classifier: ImageClassifier, images: readonly RgbImage[]): Tensor {
  return classifier.normalize(classifier.resize(classifier.pixels(images)));
}

/**
 * Train `vit` in place on `data`; returns the loss history. Each epoch
 * visits every image once in a seeded random order; the last, incomplete
 * batch of an epoch is dropped so every step sees `batchSize` images.
 */
export async function trainClassifier(vit: VisionTransformer, data: LabelledImages, opts: TrainOptions): Promise<TrainResult> {
  const { epochs, batchSize } = opts;
  const n = data.images.length;
  if (data.labels.length !== n) throw new Error(`trainClassifier: ${n} images but ${data.labels.length} labels`);
  const stepsPerEpoch = Math.floor(n / batchSize);
  if (stepsPerEpoch < 1) throw new Error(`trainClassifier: ${n} images do not fill one batch of ${batchSize}`);
  const steps = epochs * stepsPerEpoch;

  vit.freeze(false);
  const classifier = new ImageClassifier(vit, vit.config);
  const optimizer = new AdamW(vit.parameters(), { lr: opts.lr, weightDecay: opts.weightDecay ?? 0.05 });
  const rng: Random = mulberry32(opts.seed ?? 0);
  const order = Array.from({ length: n }, (_, i) => i);
  const losses: number[] = [];
  const epochLosses: number[] = [];
  const start = performance.now();

  const progress = (step: number): number =>
    Math.max(step / steps, opts.timeBudgetMs ? (performance.now() - start) / opts.timeBudgetMs : 0);

  for (let epoch = 0; epoch < epochs && progress(losses.length) < 1; epoch++) {
    shuffle(order, rng);
    let epochSum = 0;
    let epochSteps = 0;
    for (let b = 0; b < stepsPerEpoch && progress(losses.length) < 1; b++) {
      const step = epoch * stepsPerEpoch + b;
      const idx = order.slice(b * batchSize, (b + 1) * batchSize);
      const images = idx.map((i) => (opts.hflip && rng() < 0.5 ? mirror(data.images[i]!) : data.images[i]!));
      const labels = idx.map((i) => data.labels[i]!);

      optimizer.opts.lr = learningRate(progress(step) * steps, steps, opts);
      // one step's tensors are freed at the end of the scope; only the loss is read back
      const loss = tidy(() => {
        optimizer.zeroGrad();
        const l = crossEntropy(vit.forward(toInput(classifier, images)), labels);
        l.backward();
        optimizer.step();
        return l;
      });
      const value = await loss.item();
      loss.dispose();
      if (!Number.isFinite(value)) throw new Error(`trainClassifier: the loss became ${value} at step ${step + 1}; lower the learning rate`);
      losses.push(value);
      epochSum += value;
      epochSteps++;
      opts.onProgress?.({
        epoch, step: step + 1, steps, loss: value, lr: optimizer.opts.lr,
        imagesSeen: (step + 1) * batchSize, progress: Math.min(1, progress(step + 1)), elapsedMs: performance.now() - start,
      });
    }
    epochLosses.push(epochSum / epochSteps);
  }
  return { losses, epochLosses, steps: losses.length, plannedSteps: steps, elapsedMs: performance.now() - start };
}

/** The fraction of `images` whose top-1 prediction is the label. */
export async function evaluateAccuracy(
  classifier: ImageClassifier,
  images: readonly RgbImage[],
  labels: readonly number[],
  batchSize = 64,
): Promise<number> {
  if (images.length !== labels.length) throw new Error(`evaluateAccuracy: ${images.length} images but ${labels.length} labels`);
  if (images.length === 0) throw new Error('evaluateAccuracy: no images');
  let correct = 0;
  for (let s = 0; s < images.length; s += batchSize) {
    const batch = images.slice(s, s + batchSize);
    const top = tidy(() => noGrad(() => classifier.forward(toInput(classifier, batch)).argmax(-1)));
    const predicted = await top.data();
    top.dispose();
    predicted.forEach((p, i) => {
      if (p === labels[s + i]) correct++;
    });
  }
  return correct / images.length;
}
