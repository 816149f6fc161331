// npm run bench [-- --json] [-- --backends webasm,cpu] [-- --quick]
// Kernel GFLOPS and the ViT-Tiny-shaped forward + input gradient per
// maskgrad backend, and the same ViT on @tensorflow/tfjs-backend-wasm in
// the same run, with the ratio. Times are medians after warm-up.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import {
  UNARY, contiguousView, createBackend, layerNormKernel, mapKernel, matmulKernel, conv2dKernel, softmaxKernel, seededFloats, probeWebAsm,
} from '@maskgrad/kernels';
import { getBackend, noGrad, setBackend, tensor } from '@maskgrad/autograd';
import { VisionTransformer } from '@maskgrad/models';
import { tfjsVit } from './vit-tfjs.mjs';
import { gflops, matmulShapes, tfjsMatmul } from './matmul-shapes.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const backendsArg = args.find((a) => a.startsWith('--backends='))?.split('=')[1];
const names = backendsArg ? backendsArg.split(',') : probeWebAsm().available ? ['webasm', 'cpu'] : ['cpu'];
const log = (...m) => { if (!json) console.error(...m); };

async function median(fn, runs, warmup = 1) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const VIT = {
  layout: 'timm', imageSize: 224, patchSize: 16, numChannels: 3, hiddenSize: 192, numLayers: 12, numHeads: 3, mlpDim: 768,
  qkvBias: true, layerNormEps: 1e-6, hiddenAct: 'gelu', classToken: true, globalPool: 'token', fcNorm: false, numClasses: 1000,
  labels: null, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
};

function randomVit() {
  const vit = noGrad(() => new VisionTransformer(VIT));
  let seed = 1;
  for (const [name, p] of vit.namedParameters()) {
    const scale = name.endsWith('weight') && p.rank > 1 ? 1 / Math.sqrt(p.shape[p.rank - 1] * (p.rank === 4 ? p.shape[2] * p.shape[3] : 1)) : 0.02;
    p.assign(seededFloats(p.size, seed++, -scale * 1.7, scale * 1.7));
    if (name.endsWith('norm1.weight') || name.endsWith('norm2.weight') || name === 'norm.weight') p.assign(new Float32Array(p.size).fill(1));
  }
  return vit.freeze();
}

const pixels = seededFloats(3 * 224 * 224, 99, -1, 1);
const TRANSCENDENTALS = ['exp', 'erf', 'tanh', 'gelu'];
const target = 7;
const results = { machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version }, backends: {}, tfjs: {} };

for (const name of names) {
  const backend = createBackend(name);
  setBackend(name);
  const runs = quick || name === 'cpu' ? 3 : 7;
  const r = {};
  const a = seededFloats(197 * 768, 1), b = seededFloats(768 * 3072, 2);
  const mm = await median(() => matmulKernel(backend, a, b, { batch: 1, m: 197, k: 768, n: 3072 }), runs);
  r.matmul_197x768x3072_gflops = (2 * 197 * 768 * 3072) / mm / 1e6;
  const img = seededFloats(3 * 224 * 224, 3), w = seededFloats(192 * 3 * 16 * 16, 4);
  const cs = { n: 1, c: 3, h: 224, w: 224, oc: 192, kh: 16, kw: 16, strideH: 16, strideW: 16, padH: 0, padW: 0, groups: 1 };
  const cv = await median(() => conv2dKernel(backend, img, w, cs), runs);
  r.conv2d_patch_direct_gflops = (2 * 196 * 192 * 768) / cv / 1e6;
  const xs = seededFloats(197 * 192, 5), g = seededFloats(192, 6), bb = seededFloats(192, 7);
  r.softmax_197x192_ms = await median(() => softmaxKernel(backend, xs, 197, 192), runs * 3);
  r.layernorm_197x192_ms = await median(() => layerNormKernel(backend, xs, g, bb, 197, 192, 1e-6), runs * 3);
  // ViT-B/16's matmuls and their backward products (webasm only: cpu would add minutes)
  if (name === 'webasm') {
    for (const { label, s } of matmulShapes()) {
      const ma = seededFloats(s.m * s.k, 1), mb = seededFloats(s.k * s.n, 2);
      r[`matmul ${label}`] = gflops(s, await median(() => matmulKernel(backend, ma, mb, s), quick ? 2 : 5));
    }
  }
  // exp, erf, tanh, GELU over 197×768 values (the ViT-B MLP's hidden layer)
  const tv = contiguousView(seededFloats(197 * 768, 8, -4, 4), [197 * 768]);
  for (const op of TRANSCENDENTALS) r[`${op}_197x768_ms`] = await median(() => mapKernel(backend, UNARY[op], [tv]), runs * 3);
  const vit = randomVit();
  const fwd = () => noGrad(() => vit.forward(tensor(Float32Array.from(pixels), [1, 3, 224, 224])).dataSync());
  r.vit_tiny_forward_s = (await median(fwd, runs)) / 1000;
  const calls0 = getBackend().stats.kernelCalls;
  fwd();
  r.vit_tiny_forward_kernels = getBackend().stats.kernelCalls - calls0;
  const fwdBwd = async () => {
    const x = tensor(Float32Array.from(pixels), [1, 3, 224, 224], { requiresGrad: true });
    await vit.forward(x).slice(1, target, target + 1).sum().backward();
    return x.grad.dataSync();
  };
  r.vit_tiny_forward_input_grad_s = (await median(fwdBwd, runs)) / 1000;
  r.vit_logits = Array.from(fwd().slice(0, 5));
  results.backends[name] = r;
  results._state = results._state ?? vit.stateDict();
  backend.destroy();
  log(`${name}: done`);
}

// the peer: the same ViT (same weights) on tfjs-backend-wasm
await tf.setBackend('wasm');
await tf.ready();
const model = tfjsVit(results._state, VIT);
const xt = tf.tensor(pixels, [1, 3, 224, 224]);
const runs = quick ? 3 : 7;
const tfFwd = async () => { const y = tf.tidy(() => model(xt)); const d = await y.data(); y.dispose(); return d; };
results.tfjs.vit_tiny_forward_s = (await median(tfFwd, runs)) / 1000;
const gradFn = tf.grad((x) => model(x).slice([0, target], [1, 1]).sum());
const tfFwdBwd = async () => { const gx = tf.tidy(() => gradFn(xt)); const d = await gx.data(); gx.dispose(); return d; };
results.tfjs.vit_tiny_forward_input_grad_s = (await median(tfFwdBwd, runs)) / 1000;
const ta = tf.randomNormal([197, 768]), tb = tf.randomNormal([768, 3072]);
const tmm = await median(async () => { const c = tf.matMul(ta, tb); await c.data(); c.dispose(); }, runs);
results.tfjs.matmul_197x768x3072_gflops = (2 * 197 * 768 * 3072) / tmm / 1e6;
for (const { label, s } of matmulShapes()) results.tfjs[`matmul ${label}`] = gflops(s, await median(tfjsMatmul(tf, s), quick ? 2 : 5));
const tv = tf.tensor(seededFloats(197 * 768, 8, -4, 4));
const tfOps = { exp: (x) => tf.exp(x), erf: (x) => tf.erf(x), tanh: (x) => tf.tanh(x), gelu: (x) => tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5)) };
for (const op of TRANSCENDENTALS) {
  results.tfjs[`${op}_197x768_ms`] = await median(async () => { const y = tfOps[op](tv); await y.data(); y.dispose(); }, runs * 3);
}
const tfLogits = Array.from((await tfFwd()).slice(0, 5));
delete results._state;
for (const [name, r] of Object.entries(results.backends)) {
  r.forward_ratio_vs_tfjs = r.vit_tiny_forward_s / results.tfjs.vit_tiny_forward_s;
  r.forward_input_grad_ratio_vs_tfjs = r.vit_tiny_forward_input_grad_s / results.tfjs.vit_tiny_forward_input_grad_s;
  r.max_abs_logit_diff_vs_tfjs = Math.max(...r.vit_logits.map((v, i) => Math.abs(v - tfLogits[i])));
  delete r.vit_logits;
  void name;
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const f = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : String(v));
  const cols = Object.keys(results.backends);
  const rows = [
    ['matmul 197×768×3072 (GFLOPS)', (r) => f(r.matmul_197x768x3072_gflops), f(results.tfjs.matmul_197x768x3072_gflops)],
    ['patch conv2d 224/16, 3→192, direct kernel (GFLOPS)', (r) => f(r.conv2d_patch_direct_gflops), '—'],
    ['softmax 197×192 (ms)', (r) => f(r.softmax_197x192_ms), '—'],
    ['layer norm 197×192 (ms)', (r) => f(r.layernorm_197x192_ms), '—'],
    ['ViT-Tiny forward (s)', (r) => f(r.vit_tiny_forward_s, 3), f(results.tfjs.vit_tiny_forward_s, 3)],
    ['ViT-Tiny forward + input gradient (s)', (r) => f(r.vit_tiny_forward_input_grad_s, 3), f(results.tfjs.vit_tiny_forward_input_grad_s, 3)],
    ['forward, ratio to tfjs-wasm', (r) => f(r.forward_ratio_vs_tfjs), '1.00'],
    ['forward + input gradient, ratio to tfjs-wasm', (r) => f(r.forward_input_grad_ratio_vs_tfjs), '1.00'],
    ['max |logit difference| vs tfjs (same weights)', (r) => r.max_abs_logit_diff_vs_tfjs.toExponential(1), '—'],
    ['kernels per ViT-Tiny forward', (r) => String(r.vit_tiny_forward_kernels), '—'],
    ...matmulShapes().map(({ label }) => {
      const key = `matmul ${label}`;
      const peer = results.tfjs[key];
      return [`matmul ${label}, ViT-B/16 (GFLOPS, ratio to tfjs-wasm)`, (r) => (r[key] ? `${f(r[key])} (${f(r[key] / peer)}×)` : '—'), f(peer)];
    }),
    ...TRANSCENDENTALS.map((op) => {
      const key = `${op}_197x768_ms`;
      const peer = results.tfjs[key];
      return [`${op} over 197×768 (ms, ratio to tfjs-wasm)`, (r) => `${f(r[key], 3)} (${f(r[key] / peer)}×)`, f(peer, 3)];
    }),
  ];
  console.log(`| measure | ${cols.map((c) => `maskgrad ${c}`).join(' | ')} | tfjs-wasm |`);
  console.log(`|---|${cols.map(() => '---:').join('|')}|---:|`);
  for (const [label, get, peer] of rows) console.log(`| ${label} | ${cols.map((c) => get(results.backends[c])).join(' | ')} | ${peer} |`);
  console.log(`\n${results.machine.cpus} × ${results.machine.cpu}, Node ${results.machine.node}`);
}
