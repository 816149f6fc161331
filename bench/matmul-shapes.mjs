// The matmul shapes the bench times: the bench's own, ViT-B/16's three
// (197 tokens, width 768, MLP 3072), and each one's two backward products,
// dA = g·Bᵀ (transB) and dB = Aᵀ·g (transA), as the autograd op calls them.
export const FORWARD = [[197, 768, 3072], [197, 768, 768], [197, 3072, 768]];

export function matmulShapes() {
  const out = [];
  for (const [m, k, n] of FORWARD) {
    out.push({ label: `${m}×${k}×${n}`, s: { batch: 1, m, k, n } });
    out.push({ label: `${m}×${n}×${k} A·Bᵀ`, s: { batch: 1, m, k: n, n: k, transB: true } });
    out.push({ label: `${k}×${m}×${n} Aᵀ·B`, s: { batch: 1, m: k, k: m, n, transA: true } });
  }
  return out;
}

export const gflops = (s, ms) => (2 * s.batch * s.m * s.k * s.n) / ms / 1e6;

/** The same product on tfjs (any backend it is set to), awaited. */
export function tfjsMatmul(tf, s) {
  const a = tf.randomNormal(s.transA ? [s.k, s.m] : [s.m, s.k]);
  const b = tf.randomNormal(s.transB ? [s.n, s.k] : [s.k, s.n]);
  return async () => { const c = tf.matMul(a, b, !!s.transA, !!s.transB); await c.data(); c.dispose(); };
}
