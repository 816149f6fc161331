/**
 * Training needs every weight gradient of the ViT right: gradcheck the
 * cross-entropy loss of a tiny model with respect to each parameter tensor.
 */
import { describe, expect, it } from 'vitest';
import { crossEntropy, gradcheck, tensor, type Tensor } from '@maskgrad/autograd';
import { seededFloats } from '@maskgrad/kernels/testing';
import { VisionTransformer } from './vit.js';
import type { ViTConfig } from '../config.js';

const config: ViTConfig = {
  layout: 'hf', imageSize: 8, patchSize: 4, numChannels: 3, hiddenSize: 8, numLayers: 2, numHeads: 2, mlpDim: 16,
  qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false,
  numClasses: 3, labels: null, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
};

describe('ViT weight gradients (what training uses)', () => {
  const vit = new VisionTransformer(config);
  let seed = 100;
  for (const [, p] of vit.namedParameters()) p.assign(seededFloats(p.size, seed++, -0.6, 0.6));
  const x = tensor(seededFloats(2 * 3 * 8 * 8, 7, -1, 1), [2, 3, 8, 8]);
  const names = [...vit.namedParameters()].map(([n]) => n);

  it.each(names)('%s', async (name) => {
    const param = new Map(vit.namedParameters()).get(name)!;
    // float32 forward passes: |analytic − numeric| ≤ 2e-3 + 2e-2·|numeric|
    const res = await gradcheck((leaf: Tensor) => substitute(param, leaf, () => crossEntropy(vit.forward(x), [2, 0])),
      [param.detach()], { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
    expect(res.ok, JSON.stringify(res.worst)).toBe(true);
  });
});

/** Evaluate `f` with `param`'s storage and graph identity replaced by `leaf`. */
function substitute(param: Tensor, leaf: Tensor, f: () => Tensor): Tensor {
  const p = param as unknown as Record<string, unknown>;
  const l = leaf as unknown as Record<string, unknown>;
  const keys = ['current', 'wantsGrad'];
  const saved = keys.map((k) => p[k]);
  // make the parameter object stand for the leaf: same data, requires grad; gradients land on `leaf` below
  p.current = l.current;
  p.wantsGrad = true;
  try {
    const out = f();
    // move the recorded edge from param to leaf: every gradFn input that is `param` becomes `leaf`
    relink(out, param, leaf);
    return out;
  } finally {
    keys.forEach((k, i) => (p[k] = saved[i]));
  }
}

function relink(root: Tensor, from: Tensor, to: Tensor): void {
  const seen = new Set<Tensor>();
  const stack = [root];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t) || !t.gradFn) continue;
    seen.add(t);
    const inputs = t.gradFn.inputs as Tensor[];
    inputs.forEach((input, i) => {
      if (input === from) inputs[i] = to;
      else stack.push(input);
    });
  }
}
