// node bench/attention-qkv.mjs [--rounds=3] [--images=1]
// ViT-B/16 forward + input gradient on webasm with the fused q, k, v split two ways, timed in turn
// inside each round (a shared machine's load falls on both alike): `unbind` (what Attention does:
// one concat of the three gradients, ops/unbind.ts) and `slice` (before: three slices, each
// gradient zero-padded to the stacked tensor, then summed). Medians over rounds, after a warm-up.
import os from 'node:os';
import { setBackend, tensor, tidy } from '@maskgrad/autograd';
import { Attention } from '@maskgrad/models';
import { BASE, randomVit, seededFloats } from './vit-configs.mjs';

const arg = (name, dflt) => Number(process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
await setBackend('webasm');
const rounds = arg('rounds', 3);
const images = arg('images', 1);
const unbindForward = Attention.prototype.forward;
/** The forward before unbind, verbatim but for the split. */
function sliceForward(x) {
  const [n, t] = x.shape;
  const h = this.heads;
  const d = this.headDim;
  const qkv = this.qkv.forward(x).reshape([n, t, 3, h, d]).permute([2, 0, 3, 1, 4]);
  const [q, k, v] = [0, 1, 2].map((i) => qkv.slice(0, i, i + 1).reshape([n, h, t, d]));
  const attn = q.mul(1 / Math.sqrt(d)).matmul(k.transpose()).softmax(-1);
  return this.proj.forward(attn.matmul(v).permute([0, 2, 1, 3]).reshape([n, t, this.dim]));
}
const vit = randomVit(BASE);
const pixels = seededFloats(images * 3 * 224 * 224, 99, -1, 1);
const grads = {};
async function step(name, forward) {
  Attention.prototype.forward = forward;
  const x = tensor(Float32Array.from(pixels), [images, 3, 224, 224], { requiresGrad: true });
  const t0 = performance.now();
  tidy(() => vit.forward(x).slice(1, 7, 8).sum().backward());
  grads[name] = await x.grad.data();
  x.dispose();
  return (performance.now() - t0) / 1000;
}
const runs = { unbind: unbindForward, slice: sliceForward };
const s = { unbind: [], slice: [] };
for (const [k, f] of Object.entries(runs)) await step(k, f);
for (let r = 0; r < rounds; r++) for (const [k, f] of Object.entries(runs)) s[k].push(await step(k, f));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const maxDiff = grads.unbind.reduce((m, g, i) => Math.max(m, Math.abs(g - grads.slice[i])), 0);
console.log(JSON.stringify({
  images, rounds, unbind_s: median(s.unbind), slice_s: median(s.slice), ratio: median(s.unbind) / median(s.slice),
  rounds_unbind_s: s.unbind, rounds_slice_s: s.slice, max_abs_grad_diff: maxDiff, load: os.loadavg()[0],
}));
process.exit(0);
