// npm run bench [-- --quick] [-- --json] [-- --backends=webasm,cpu,webgpu] [-- --vitb-iterations=N]
// Per maskgrad backend: kernel timings, the ViT-Tiny-shaped forward and forward + input gradient,
// kernels per forward and per explainer iteration, whole explanations (the default one at 64 px, 300
// iterations at 64 px, 40 at 224 px), and a ViT-B/16-shaped model's forward + input
// gradient and explanation; the same ViT-Tiny, ViT-B/16 and kernels on @tensorflow/tfjs-backend-wasm in
// the same run, with ratios. On webasm the ViT-B/16 matmuls run on 1 and on every core
// (useMatmulThreads), the rows after them on one (the CLI's default); the ViT-B/16 default explanation runs in a
// process of its own (bench/vitb-explain.mjs: 3 iterations, projected, and its peak RSS). Times are medians after a warm-up. On webgpu a timed call ends with
// backend.flush() (the device finished the work), so device time is included.
// --backends=webgpu runs where Node can load WebGPU (the 'webgpu' package: glibc >= 2.34, Vulkan; see the
// README's Backends); elsewhere it says why. Last, the peak live tensor bytes of a ViT-Tiny and a ViT-B/16 forward + input
// gradient on webgpu if it ran, else the first backend named (bench/peak-memory.mjs). Its results carry per_iteration (bench/webgpu-counters.mjs). `node bench/browser.mjs` times the browser example on webasm and WebGPU in Chromium.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import {
  UNARY, closeNodeWebGPU, contiguousView, geluKernel, layerNormKernel, mapKernel, matmulKernel, conv2dKernel, softmaxKernel,
  probeWebAsm, probeWebGPU,
} from '@maskgrad/kernels';
import { useMatmulThreads } from '@maskgrad/kernels/node';
import { noGrad, setBackend, tensor, tidy } from '@maskgrad/autograd';
import { ImageClassifier } from '@maskgrad/models';
import { loadDefaultModel, loadModel, readImageFile } from '@maskgrad/models/node';
import { explain } from '@maskgrad/perturb';
import { tfjsVit } from './vit-tfjs.mjs';
import { BASE, TINY, randomVit, seededFloats } from './vit-configs.mjs';
import { webgpuPerIteration } from './webgpu-counters.mjs';
import { gflops, matmulShapes, tfjsMatmul } from './matmul-shapes.mjs';
import { peakMemory } from './peak-memory.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const backendsArg = args.find((a) => a.startsWith('--backends='))?.split('=')[1];
const names = backendsArg ? backendsArg.split(',') : probeWebAsm().available ? ['webasm', 'cpu'] : ['cpu'];
/** ViT-B/16 explanation iterations: 300 on webgpu (the issue's measure); a few elsewhere, timed per iteration. */
const vitbIterationsArg = args.find((a) => a.startsWith('--vitb-iterations='))?.split('=')[1];
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

const pixels = seededFloats(3 * 224 * 224, 99, -1, 1);
const TRANSCENDENTALS = ['exp', 'erf', 'tanh', 'gelu'];
const target = 7;
const results = { machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadAverage1m: os.loadavg()[0] }, backends: {}, skipped: {}, tfjs: {} };

/** A kernel call timed until its result exists (host) or the device finished it (webgpu), then freed. */
const timedKernel = (backend, run) => async () => {
  const d = run();
  await backend.flush();
  backend.release(d);
};

async function benchBackend(name) {
  if (name === 'webgpu') {
    const probe = await probeWebGPU();
    if (!probe.available) {
      results.skipped.webgpu = probe.reason;
      log(`webgpu: skipped (${probe.reason}); node bench/browser.mjs runs the browser example on WebGPU in Chromium`);
      return;
    }
  }
  const backend = await setBackend(name);
  const runs = quick || name === 'cpu' ? 3 : 7;
  const r = {};
  // WebGPU calls per explainer iteration (kernels, submits, buffers and bind groups created, bytes written and read, mapAsync)
  if (name === 'webgpu') r.per_iteration = await webgpuPerIteration(backend);
  const up = (n, seed, lo, hi) => backend.upload(seededFloats(n, seed, lo, hi));
  const a = up(197 * 768, 1), b = up(768 * 3072, 2);
  r.matmul_197x768x3072_gflops = gflops({ batch: 1, m: 197, k: 768, n: 3072 }, await median(timedKernel(backend, () => matmulKernel(backend, a, b, { batch: 1, m: 197, k: 768, n: 3072 })), runs));
  const img = up(3 * 224 * 224, 3), w = up(192 * 3 * 16 * 16, 4);
  const cs = { n: 1, c: 3, h: 224, w: 224, oc: 192, kh: 16, kw: 16, strideH: 16, strideW: 16, padH: 0, padW: 0, groups: 1 };
  r.conv2d_patch_direct_gflops = (2 * 196 * 192 * 768) / (await median(timedKernel(backend, () => conv2dKernel(backend, img, w, cs)), runs)) / 1e6;
  const xs = up(197 * 192, 5), g = up(192, 6), bb = up(192, 7);
  r.softmax_197x192_ms = await median(timedKernel(backend, () => softmaxKernel(backend, xs, 197, 192)), runs * 3);
  r.layernorm_197x192_ms = await median(async () => {
    const o = layerNormKernel(backend, xs, g, bb, 197, 192, 1e-6);
    await backend.flush();
    [o.y, o.mean, o.rstd].forEach((d) => backend.release(d));
  }, runs * 3);
  // ViT-B/16's matmuls and their backward products (not on cpu: it would add minutes); on webasm on
  // one thread, then on every core; the rows below run on one, the CLI's default
  const cores = os.availableParallelism();
  if (name !== 'cpu') {
    for (const threads of name === 'webasm' ? [1, cores] : [1]) {
      if (name === 'webasm') useMatmulThreads(threads);
      for (const { label, s } of matmulShapes()) {
        const ma = up(s.m * s.k, 1), mb = up(s.k * s.n, 2);
        r[`matmul ${label}${threads > 1 ? ', threads' : ''}`] = gflops(s, await median(timedKernel(backend, () => matmulKernel(backend, ma, mb, s)), quick ? 2 : 5));
        backend.release(ma);
        backend.release(mb);
      }
    }
    if (name === 'webasm') useMatmulThreads(1);
  }
  // exp, erf, tanh, GELU over 197×768 values (the ViT-B MLP's hidden layer)
  const tv = contiguousView(up(197 * 768, 8, -4, 4), [197 * 768]);
  const transcendental = (op) => (op === 'gelu' ? geluKernel(backend, tv.data, null, 768) : mapKernel(backend, UNARY[op], [tv]).data);
  for (const op of TRANSCENDENTALS) r[`${op}_197x768_ms`] = await median(timedKernel(backend, () => transcendental(op)), runs * 3);

  // ViT-Tiny: forward, forward + input gradient, kernels per forward
  const tiny = randomVit(TINY);
  const fwd = () => {
    const y = tidy(() => noGrad(() => tiny.forward(tensor(Float32Array.from(pixels), [1, 3, 224, 224]))));
    return y.data().finally(() => y.dispose());
  };
  const fwdBwd = async (vit) => {
    const x = tensor(Float32Array.from(pixels), [1, 3, 224, 224], { requiresGrad: true });
    tidy(() => vit.forward(x).slice(1, target, target + 1).sum().backward());
    const grad = await x.grad.data();
    x.dispose();
    return grad;
  };
  r.vit_tiny_forward_s = (await median(fwd, runs)) / 1000;
  const calls0 = backend.stats.kernelCalls;
  await fwd();
  r.vit_tiny_forward_kernels = backend.stats.kernelCalls - calls0;
  r.vit_tiny_forward_input_grad_s = (await median(() => fwdBwd(tiny), runs)) / 1000;
  r.vit_logits = Array.from((await fwd()).slice(0, 5));
  results._state = results._state ?? await tiny.stateDict();

  // kernels per explainer iteration: the built-in 64 px model, each method's shipped defaults
  const model = loadDefaultModel();
  const x = model.resize(model.pixels(readImageFile(new URL('../examples/images/disc.png', import.meta.url).pathname)));
  for (const method of ['extremal', 'meaningful']) {
    const counts = [];
    await explain(model, x, { method, iterations: 3, onProgress: () => counts.push(backend.stats.kernelCalls) });
    r[`explain_64px_${method}_kernels_per_iteration`] = counts[2] - counts[1];
  }
  // whole explanations: the default one of disc.png (64 px, built-in model); 300 iterations of the
  // meaningful perturbation on the 64 px fixture model (PyTorch's reference settings, mask noise
  // on); and 40 iterations of its defaults on the 224 px ViT-Tiny fixture (the last two not on cpu).
  // One run each, kernel compilation included.
  const fixtures = new URL('../tests/fixtures/', import.meta.url).pathname;
  const timed = async (m, image, options) => {
    const t0 = performance.now();
    await explain(m, image, options);
    return (performance.now() - t0) / 1000;
  };
  r.explain_64px_default_s = await timed(model, x, {});
  if (name !== 'cpu') {
    const hf = loadModel(`${fixtures}shapes-vit-hf`);
    r.explain_fixture_300_s = await timed(hf, hf.pixels([readImageFile(`${fixtures}shapes-vit-hf/images/img0.png`)]), { preset: 'classic', iterations: 300, maskNoise: 0.2 });
    const vitTiny = loadModel(`${fixtures}vit-tiny-hf-bf16`);
    const image = vitTiny.resize(vitTiny.pixels(readImageFile(`${fixtures}shapes-vit-hf/images/img0.png`)));
    r.explain_vit_tiny_40_s = await timed(vitTiny, image, { method: 'meaningful', iterations: 40 });
  }

  // ViT-B/16-shaped: forward + input gradient, and an explanation (300 iterations on webgpu)
  if (name !== 'cpu') {
    const base = randomVit(BASE);
    const fwdBase = () => {
      const y = tidy(() => noGrad(() => base.forward(tensor(Float32Array.from(pixels), [1, 3, 224, 224]))));
      return y.data().finally(() => y.dispose());
    };
    r.vit_b16_forward_s = (await median(fwdBase, quick ? 1 : 3)) / 1000;
    r.vit_b16_forward_input_grad_s = (await median(() => fwdBwd(base), quick ? 1 : 3)) / 1000;
    results._stateB = results._stateB ?? await base.stateDict();
    const iterations = Number(vitbIterationsArg ?? (name === 'webgpu' ? 300 : 3));
    const classifier = new ImageClassifier(base, BASE);
    const image = tensor(seededFloats(3 * 224 * 224, 7, 0, 1), [1, 3, 224, 224]);
    const t0 = performance.now();
    await explain(classifier, image, { method: 'meaningful', iterations, target: 0, maskSize: 28 });
    const seconds = (performance.now() - t0) / 1000;
    r.vit_b16_explain_iterations = iterations;
    r.vit_b16_explain_s = seconds;
    r.vit_b16_explain_s_per_iteration = seconds / iterations;
    if (name !== 'webgpu') {
      const child = execFileSync(process.execPath, [new URL('vitb-explain.mjs', import.meta.url).pathname, `--backend=${name}`, '--threads=1'], { encoding: 'utf8' });
      r.vit_b16_default = JSON.parse(child.trim().split('\n').pop());
    }
  }
  results.backends[name] = r;
  backend.destroy();
  log(`${name}: done`);
}

for (const name of names) await benchBackend(name);
// peak live tensor bytes of a ViT-Tiny and a ViT-B/16 forward + input gradient (bench/peak-memory.mjs)
results.peak_live = await peakMemory(names.includes('webgpu') && !results.skipped.webgpu ? 'webgpu' : names[0]);
closeNodeWebGPU();

// the peer: the same ViT-Tiny (same weights) and kernels on tfjs-backend-wasm
await tf.setBackend('wasm');
await tf.ready();
const runs = quick ? 3 : 7;
if (results._state) {
  const model = tfjsVit(results._state, TINY);
  const xt = tf.tensor(pixels, [1, 3, 224, 224]);
  const tfFwd = async () => { const y = tf.tidy(() => model(xt)); const d = await y.data(); y.dispose(); return d; };
  results.tfjs.vit_tiny_forward_s = (await median(tfFwd, runs)) / 1000;
  const gradFn = tf.grad((x) => model(x).slice([0, target], [1, 1]).sum());
  const tfFwdBwd = async () => { const gx = tf.tidy(() => gradFn(xt)); const d = await gx.data(); gx.dispose(); return d; };
  results.tfjs.vit_tiny_forward_input_grad_s = (await median(tfFwdBwd, runs)) / 1000;
  results.tfjs._logits = Array.from((await tfFwd()).slice(0, 5));
}
if (results._stateB) {
  const model = tfjsVit(results._stateB, BASE);
  const xt = tf.tensor(pixels, [1, 3, 224, 224]);
  results.tfjs.vit_b16_forward_s = (await median(async () => { const y = tf.tidy(() => model(xt)); await y.data(); y.dispose(); }, quick ? 1 : 3)) / 1000;
  const gradFn = tf.grad((x) => model(x).slice([0, target], [1, 1]).sum());
  results.tfjs.vit_b16_forward_input_grad_s = (await median(async () => { const gx = tf.tidy(() => gradFn(xt)); await gx.data(); gx.dispose(); }, quick ? 1 : 3)) / 1000;
  delete results._stateB;
}
const ta = tf.randomNormal([197, 768]), tb = tf.randomNormal([768, 3072]);
results.tfjs.matmul_197x768x3072_gflops = gflops({ batch: 1, m: 197, k: 768, n: 3072 }, await median(async () => { const c = tf.matMul(ta, tb); await c.data(); c.dispose(); }, runs));
for (const { label, s } of matmulShapes()) results.tfjs[`matmul ${label}`] = gflops(s, await median(tfjsMatmul(tf, s), quick ? 2 : 5));
const tv = tf.tensor(seededFloats(197 * 768, 8, -4, 4));
const tfOps = { exp: (x) => tf.exp(x), erf: (x) => tf.erf(x), tanh: (x) => tf.tanh(x), gelu: (x) => tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5)) };
for (const op of TRANSCENDENTALS) {
  results.tfjs[`${op}_197x768_ms`] = await median(async () => { const y = tfOps[op](tv); await y.data(); y.dispose(); }, runs * 3);
}
delete results._state;
for (const r of Object.values(results.backends)) {
  r.forward_ratio_vs_tfjs = r.vit_tiny_forward_s / results.tfjs.vit_tiny_forward_s;
  r.forward_input_grad_ratio_vs_tfjs = r.vit_tiny_forward_input_grad_s / results.tfjs.vit_tiny_forward_input_grad_s;
  r.max_abs_logit_diff_vs_tfjs = Math.max(...r.vit_logits.map((v, i) => Math.abs(v - results.tfjs._logits[i])));
  delete r.vit_logits;
}
delete results.tfjs._logits;

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const f = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '—');
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
    ['max \\|logit difference\\| vs tfjs (same weights)', (r) => r.max_abs_logit_diff_vs_tfjs.toExponential(1), '—'],
    ['kernels per ViT-Tiny forward', (r) => String(r.vit_tiny_forward_kernels), '—'],
    ['kernels per explainer iteration, 64 px built-in model: extremal (6 images per step) / meaningful defaults', (r) => `${r.explain_64px_extremal_kernels_per_iteration} / ${r.explain_64px_meaningful_kernels_per_iteration}`, '—'],
    ['default explanation of disc.png, 64 px (s)', (r) => f(r.explain_64px_default_s), '—'],
    ['300-iteration explanation, 64 px fixture model (s)', (r) => f(r.explain_fixture_300_s), '—'],
    ['40-iteration explanation, 224 px ViT-Tiny (s)', (r) => f(r.explain_vit_tiny_40_s), '—'],
    ['ViT-B/16 forward (s)', (r) => f(r.vit_b16_forward_s, 2), f(results.tfjs.vit_b16_forward_s, 2)],
    ['ViT-B/16 forward + input gradient (s)', (r) => f(r.vit_b16_forward_input_grad_s, 2), f(results.tfjs.vit_b16_forward_input_grad_s, 2)],
    ['ViT-B/16 default explanation, projected from 3 iterations (s; s per iteration)', (r) => (r.vit_b16_default ? `${f(r.vit_b16_default.projected_default_s, 0)} (${f(r.vit_b16_default.steady_s_per_iteration, 2)})` : '—'), '—'],
    ['peak RSS of that explanation process (GB)', (r) => (r.vit_b16_default ? f(r.vit_b16_default.peak_rss_gb, 2) : '—'), '—'],
    ['ViT-B/16 explanation: iterations, total s (s per iteration)', (r) => (r.vit_b16_explain_iterations ? `${r.vit_b16_explain_iterations}, ${f(r.vit_b16_explain_s, 1)} (${f(r.vit_b16_explain_s_per_iteration, 2)})` : '—'), '—'],
    ...matmulShapes().map(({ label }) => {
      const key = `matmul ${label}`;
      const peer = results.tfjs[key];
      return [`matmul ${label}, ViT-B/16 (GFLOPS, ratio to tfjs-wasm)`, (r) => (r[key] ? `${f(r[key])} (${f(r[key] / peer)}×)` : '—'), f(peer)];
    }),
    ...matmulShapes().map(({ label }) => {
      const key = `matmul ${label}, threads`;
      const peer = results.tfjs[`matmul ${label}`];
      return [`matmul ${label} on every core (GFLOPS, ratio to tfjs-wasm)`, (r) => (r[key] ? `${f(r[key])} (${f(r[key] / peer)}×)` : '—'), f(peer)];
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
  const pl = results.peak_live;
  for (const [label, m] of [['ViT-Tiny', pl.vit_tiny], ['ViT-B/16', pl.vit_b16]]) console.log(`\n${label} forward + input gradient on ${pl.backend}: peak live tensor data ${f(m.peak_mb, 1)} MB (weights ${f(m.weights_mb, 1)} MB; node bench/peak-memory.mjs)`);
  for (const [name, why] of Object.entries(results.skipped)) console.log(`\n${name}: not run here: ${why}`);
  console.log(`\n${results.machine.cpus} × ${results.machine.cpu}, Node ${results.machine.node}, load average ${results.machine.loadAverage1m.toFixed(2)}`);
}
