/**
 * The Vision Transformer (Dosovitskiy et al. 2021): patch embedding by a
 * strided convolution, a class token, learned position embeddings,
 * pre-norm transformer blocks, a final norm, pooling (class token, or
 * the mean of the patch tokens followed by fc_norm as timm does) and a
 * linear classifier head.
 */
import type { Tensor } from '@maskgrad/autograd';
import type { Backend } from '@maskgrad/kernels';
import type { ViTConfig } from '../config.js';
import { Attention, type QkvLayout } from './attention.js';
import { Conv2d, LayerNorm, Linear } from './linear.js';
import { Module } from './module.js';

export class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(dim: number, hidden: number, readonly act: ViTConfig['hiddenAct'], backend?: Backend) {
    super(backend);
    this.fc1 = this.child('fc1', new Linear(dim, hidden, true, this.backend));
    this.fc2 = this.child('fc2', new Linear(hidden, dim, true, this.backend));
  }

  forward(x: Tensor): Tensor {
    // exact GELU takes fc1's bias into its own kernel
    const a = this.act === 'gelu' ? this.fc1.project(x).gelu(this.fc1.bias) : this.act === 'relu' ? this.fc1.forward(x).relu() : geluTanh(this.fc1.forward(x));
    return this.fc2.forward(a);
  }
}

/** GELU's tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluTanh(x: Tensor): Tensor {
  const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(inner.tanh().add(1)).mul(0.5);
}

/** x + attn(norm1(x)); x + mlp(norm2(x)). */
export class Block extends Module {
  readonly norm1: LayerNorm;
  readonly attn: Attention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;

  constructor(c: ViTConfig, layout: QkvLayout, backend?: Backend) {
    super(backend);
    this.norm1 = this.child('norm1', new LayerNorm(c.hiddenSize, c.layerNormEps, this.backend));
    this.attn = this.child('attn', new Attention(c.hiddenSize, c.numHeads, c.qkvBias, layout, this.backend));
    this.norm2 = this.child('norm2', new LayerNorm(c.hiddenSize, c.layerNormEps, this.backend));
    this.mlp = this.child('mlp', new Mlp(c.hiddenSize, c.mlpDim, c.hiddenAct, this.backend));
  }

  forward(x: Tensor): Tensor {
    const y = x.add(this.attn.forward(this.norm1.forward(x)));
    return y.add(this.mlp.forward(this.norm2.forward(y)));
  }
}

export class VisionTransformer extends Module {
  readonly patchEmbed: Conv2d;
  readonly clsToken: Tensor | null;
  readonly posEmbed: Tensor;
  readonly blocks: Block[];
  readonly norm: LayerNorm | null;
  readonly fcNorm: LayerNorm | null;
  readonly head: Linear;
  readonly numPatches: number;

  constructor(readonly config: ViTConfig, layout: QkvLayout = config.layout === 'hf' ? 'separate' : 'fused', backend?: Backend) {
    super(backend);
    const c = config;
    const grid = c.imageSize / c.patchSize;
    this.numPatches = grid * grid;
    this.patchEmbed = this.child('patchEmbed', new Conv2d(c.numChannels, c.hiddenSize, c.patchSize, { stride: c.patchSize }, this.backend));
    this.clsToken = c.classToken ? this.param('clsToken', [1, 1, c.hiddenSize]) : null;
    this.posEmbed = this.param('posEmbed', [1, this.numPatches + (c.classToken ? 1 : 0), c.hiddenSize]);
    this.blocks = Array.from({ length: c.numLayers }, (_, i) => this.child(`blocks.${i}`, new Block(c, layout, this.backend)));
    this.norm = c.fcNorm ? null : this.child('norm', new LayerNorm(c.hiddenSize, c.layerNormEps, this.backend));
    this.fcNorm = c.fcNorm ? this.child('fcNorm', new LayerNorm(c.hiddenSize, c.layerNormEps, this.backend)) : null;
    this.head = this.child('head', new Linear(c.hiddenSize, c.numClasses, true, this.backend));
  }

  /** Token features after the final norm: [N, T, D]. */
  features(x: Tensor): Tensor {
    const c = this.config;
    if (x.rank !== 4 || x.shape[1] !== c.numChannels || x.shape[2] !== c.imageSize || x.shape[3] !== c.imageSize) {
      throw new Error(`the model takes input [N, ${c.numChannels}, ${c.imageSize}, ${c.imageSize}], got [${x.shape.join(', ')}]; preprocess() resizes images`);
    }
    const n = x.shape[0];
    let t = this.patchEmbed.forward(x).reshape([n, c.hiddenSize, this.numPatches]).transpose(1, 2);
    if (this.clsToken) t = this.clsToken.expand([n, 1, c.hiddenSize]).concat([t], 1);
    t = t.add(this.posEmbed);
    for (const b of this.blocks) t = b.forward(t);
    return this.norm ? this.norm.forward(t) : t;
  }

  /** Logits [N, classes] for normalized input [N, 3, H, W]. */
  forward(x: Tensor): Tensor {
    const t = this.features(x);
    const pooled = this.config.globalPool === 'avg'
      ? t.slice(1, this.clsToken ? 1 : 0).mean(1)
      : t.slice(1, 0, 1).reshape([t.shape[0], this.config.hiddenSize]);
    return this.head.forward(this.fcNorm ? this.fcNorm.forward(pooled) : pooled);
  }
}
