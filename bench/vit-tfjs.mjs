// The same ViT, written with TensorFlow.js ops, for the peer comparison.
// Weights come from a maskgrad VisionTransformer's state dict (internal
// names), so both engines compute the same function.
import * as tf from '@tensorflow/tfjs';

export function tfjsVit(state, c) {
  const p = (name) => {
    const e = state.get(name);
    return tf.tensor(e.data, e.shape);
  };
  const lin = (name) => ({ w: p(`${name}.weight`).transpose(), b: p(`${name}.bias`) });
  const ln = (name) => ({ g: p(`${name}.weight`), b: p(`${name}.bias`) });
  const W = {
    patchW: p('patchEmbed.weight').transpose([2, 3, 1, 0]), // OIHW → HWIO
    patchB: p('patchEmbed.bias'),
    cls: p('clsToken'),
    pos: p('posEmbed'),
    blocks: Array.from({ length: c.numLayers }, (_, i) => ({
      n1: ln(`blocks.${i}.norm1`), qkv: lin(`blocks.${i}.attn.qkv`), proj: lin(`blocks.${i}.attn.proj`),
      n2: ln(`blocks.${i}.norm2`), fc1: lin(`blocks.${i}.mlp.fc1`), fc2: lin(`blocks.${i}.mlp.fc2`),
    })),
    norm: ln('norm'),
    head: lin('head'),
  };
  const layerNorm = (x, { g, b }) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(c.layerNormEps))).mul(g).add(b);
  };
  const dense = (x, { w, b }) => {
    const [n, t, d] = x.shape;
    return x.reshape([n * t, d]).matMul(w).add(b).reshape([n, t, w.shape[1]]);
  };
  const gelu = (x) => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
  const h = c.numHeads;
  const dh = c.hiddenSize / h;
  return (xNchw) => {
    const n = xNchw.shape[0];
    const patches = tf.conv2d(xNchw.transpose([0, 2, 3, 1]), W.patchW, c.patchSize, 'valid').add(W.patchB);
    let t = patches.reshape([n, -1, c.hiddenSize]);
    t = tf.concat([tf.tile(W.cls, [n, 1, 1]), t], 1).add(W.pos);
    const T = t.shape[1];
    for (const B of W.blocks) {
      const qkv = dense(layerNorm(t, B.n1), B.qkv).reshape([n, T, 3, h, dh]).transpose([2, 0, 3, 1, 4]);
      const [q, k, v] = tf.unstack(qkv, 0);
      const attn = tf.softmax(tf.matMul(q.mul(1 / Math.sqrt(dh)), k, false, true), -1);
      const ctx = tf.matMul(attn, v).transpose([0, 2, 1, 3]).reshape([n, T, c.hiddenSize]);
      t = t.add(dense(ctx, B.proj));
      t = t.add(dense(gelu(dense(layerNorm(t, B.n2), B.fc1)), B.fc2));
    }
    const cls = layerNorm(t, W.norm).slice([0, 0, 0], [n, 1, c.hiddenSize]);
    return dense(cls, W.head).reshape([n, c.numClasses]);
  };
}
