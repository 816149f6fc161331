/**
 * ImageClassifier: a loaded ViT with its labels and preprocessing.
 * forward(x) takes normalized [N, 3, S, S] input; preprocess(images)
 * turns RGB8 images into that input: the checkpoint's own resize and crop
 * (Pillow's filters, preprocess.ts), rescale 1/255, normalize.
 */
import { resizeBilinear, tensor, type Tensor } from '@maskgrad/autograd';
import type { Backend } from '@maskgrad/kernels';
import type { ViTConfig } from './config.js';
import { NonFiniteError } from './errors.js';
import { IMAGENET_LABELS } from './imagenet-labels.js';
import type { VisionTransformer } from './layers/vit.js';
import { defaultPreprocessing, prepareImage, type InputGeometry, type Preprocessing } from './preprocess.js';
import type { RgbImage } from './rgb-image.js';

export type { RgbImage };

/**
 * The class names of a model with this config: its own labels, else ImageNet's for 1000 classes,
 * else `class 0`, `class 1`, ... The one fallback: the CLI reads it before the weights are loaded.
 */
export function labelsFor(config: Pick<ViTConfig, 'labels' | 'numClasses'>): readonly string[] {
  if (config.labels) return config.labels;
  return config.numClasses === 1000 ? IMAGENET_LABELS : Array.from({ length: config.numClasses }, (_, i) => `class ${i}`);
}

export class ImageClassifier {
  readonly labels: readonly string[];
  /** The weights file it was loaded from (loadModel sets it): errors that suspect the weights name it. */
  source: string | undefined = undefined;

  constructor(readonly vit: VisionTransformer, readonly config: ViTConfig, labels?: readonly string[]) {
    this.labels = labels ?? labelsFor(config);
    if (this.labels.length !== config.numClasses) {
      throw new Error(`${this.labels.length} labels given for a model with ${config.numClasses} classes`);
    }
  }

  /** Where the model's weights live: its inputs are made there too. */
  get backend(): Backend {
    return this.vit.backend;
  }

  get imageSize(): number {
    return this.config.imageSize;
  }

  /** Logits [N, classes]. */
  forward(x: Tensor): Tensor {
    return this.vit.forward(x);
  }

  /** [N, 3, H, W] pixels in [0, 1] from RGB8 images (no resize). */
  pixels(images: RgbImage | readonly RgbImage[]): Tensor {
    const list = Array.isArray(images) ? images : [images as RgbImage];
    const { width, height } = list[0];
    const data = new Float32Array(list.length * 3 * width * height);
    list.forEach((img, n) => {
      if (img.width !== width || img.height !== height) throw new Error('pixels(): images in one batch must have the same size');
      const plane = width * height;
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++) data[(n * 3 + c) * plane + i] = img.data[i * 3 + c] / 255;
      }
    });
    return tensor(data, [list.length, 3, height, width], { backend: this.backend });
  }

  /** The checkpoint's resize and crop (ViTImageProcessor's defaults when its files give none). */
  get preprocessing(): Preprocessing {
    return this.config.preprocessing ?? defaultPreprocessing(this.config.imageSize);
  }

  /** An RGB8 image resized and cropped to the model's S × S input, and where that input lies in it. */
  prepare(image: RgbImage): { image: RgbImage; geometry: InputGeometry } {
    return prepareImage(image, this.preprocessing, this.config.imageSize);
  }

  /**
   * Resize [N, 3, H, W] pixels in [0, 1] to the model's size: a differentiable bilinear resize
   * (align_corners=false, no antialiasing), for tensors; images go through prepare().
   */
  resize(pixels: Tensor): Tensor {
    const s = this.config.imageSize;
    return pixels.shape[2] === s && pixels.shape[3] === s ? pixels : resizeBilinear(pixels, s, s);
  }

  /** (x − mean) / std per channel, for [N, 3, S, S] pixels in [0, 1]. Differentiable. */
  normalize(pixels: Tensor): Tensor {
    const mean = tensor(Float32Array.from(this.config.imageMean), [1, 3, 1, 1], { backend: pixels.backend });
    const inv = tensor(Float32Array.from(this.config.imageStd, (s) => 1 / s), [1, 3, 1, 1], { backend: pixels.backend });
    return pixels.sub(mean).mul(inv);
  }

  /** RGB8 images → the model's normalized input [N, 3, S, S]. */
  preprocess(images: RgbImage | readonly RgbImage[]): Tensor {
    const list = Array.isArray(images) ? images : [images as RgbImage];
    const resized = list.map((img) => this.pixels(this.prepare(img).image));
    const batch = resized.length === 1 ? resized[0] : resized[0].concat(resized.slice(1), 0);
    return this.normalize(batch);
  }

  /** Class probabilities for preprocessed input, top k per image. */
  async classify(x: Tensor, top = 5): Promise<{ index: number; label: string; probability: number }[][]> {
    const probs = await this.forward(x).softmax(-1).data();
    const c = this.config.numClasses;
    const out: { index: number; label: string; probability: number }[][] = [];
    for (let n = 0; n < x.shape[0]; n++) {
      const bad = probs.subarray(n * c, (n + 1) * c).find((p) => !Number.isFinite(p));
      if (bad !== undefined) {
        throw new NonFiniteError({
          what: 'a class probability', value: bad, image: n,
          hint: 'The weights overflow float32 on this input (finite weights whose activations are not).', checkWeights: true,
        }, { checkpoint: this.source });
      }
      const row = Array.from(probs.subarray(n * c, (n + 1) * c), (p, i) => ({ index: i, label: this.labels[i], probability: p }));
      out.push(row.sort((a, b) => b.probability - a.probability).slice(0, top));
    }
    return out;
  }
}
