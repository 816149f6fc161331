// npm run parity [-- --json]: maskgrad against the PyTorch reference data in
// tests/fixtures (the same checks as tests/vit-parity.test.ts and
// tests/perturb-parity.test.ts), printed as Markdown tables with the figures.
import { tensor } from '@maskgrad/autograd';
import { loadModel, readImageFile, readSafetensorsFile } from '@maskgrad/models/node';
import { explainBatch, gaussianBlur } from '@maskgrad/perturb';
import { fileURLToPath } from 'node:url';

const json = process.argv.includes('--json');
const fx = (p) => fileURLToPath(new URL(`../tests/fixtures/${p}`, import.meta.url));
const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const cosine = (a, b) => { let ab = 0, aa = 0, bb = 0; for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] ** 2; bb += b[i] ** 2; } return ab / Math.sqrt(aa * bb); };
const pearson = (a, b) => {
  const n = a.length; const ma = a.reduce((s, v) => s + v, 0) / n; const mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0, aa = 0, bb = 0; for (let i = 0; i < n; i++) { ab += (a[i] - ma) * (b[i] - mb); aa += (a[i] - ma) ** 2; bb += (b[i] - mb) ** 2; }
  return ab / Math.sqrt(aa * bb);
};
const out = { vit: [], shapes: null, perturb: [], noisy: null };

for (const [name, target] of [['vit-tiny-hf-bf16', 115], ['vit-tiny-timm-f16', 66]]) {
  const model = loadModel(fx(name));
  const ref = readSafetensorsFile(fx(`${name}/reference.safetensors`));
  const x = tensor(ref.read('pixel_values'), [1, 3, 224, 224], { requiresGrad: true });
  const logits = model.forward(x);
  const l = await logits.data();
  await logits.slice(1, target, target + 1).sum().backward();
  const g = await x.grad.data();
  const gw = ref.read('grad_pixel_values_of_target_logit');
  out.vit.push({ name, logitsMaxAbsDiff: maxAbsDiff(l, ref.read('logits')), gradCosine: cosine(g, gw), gradMaxAbsDiffRel: maxAbsDiff(g, gw) / maxAbs(gw) });
}

const model = loadModel(fx('shapes-vit-hf'));
const ref = readSafetensorsFile(fx('shapes-vit-hf/reference.safetensors'));
const images = Array.from({ length: 8 }, (_, i) => readImageFile(fx(`shapes-vit-hf/images/img${i}.png`)));
const probs = await model.forward(model.preprocess(images)).softmax(-1).data();
out.shapes = { probsMaxAbsDiff: Math.max(...images.map((_, i) => maxAbsDiff(probs.subarray(i * 4, i * 4 + 4), ref.read(`probs_img${i}`)))) };
const x = model.pixels(images);
out.blurMaxAbsDiff = maxAbsDiff(await gaussianBlur(x.slice(0, 0, 1), 3).data(), ref.read('blurred_img0'));
const cfg = { game: 'deletion', maskSize: 16, blurSigma: 3, lr: 0.1, iterations: 100, l1: 0.01, tv: 0.2, tvBeta: 3, jitter: 0 };
const det = await explainBatch(model, x, { ...cfg, method: 'meaningful', maskNoise: 0 });
det.forEach((r, i) => {
  const want = ref.read(`mask_img${i}`);
  const hist = ref.read(`history_img${i}`);
  const mad = r.mask.values.reduce((s, v, k) => s + Math.abs(v - want[k]), 0) / want.length;
  const dp = Math.max(...r.history.map((h, k) => Math.abs(h.probability - hist[k * 2 + 1])));
  const dl = Math.max(...r.history.map((h, k) => Math.abs(h.loss - hist[k * 2])));
  out.perturb.push({ image: `img${i}`, maskMeanAbsDiff: mad, maskPearson: pearson(r.mask.values, want), probMaxAbsDiff: dp, lossMaxAbsDiff: dl });
});
const noisy = await explainBatch(model, x, { ...cfg, method: 'meaningful', maskNoise: 0.2, seed: 1 });
const corr = noisy.map((r, i) => pearson(r.mask.values, ref.read(`mask_noisy_img${i}`))).sort((a, b) => a - b);
out.noisy = { correlations: corr, median: (corr[3] + corr[4]) / 2 };

if (json) console.log(JSON.stringify(out, null, 2));
else {
  const e = (v) => v.toExponential(1);
  console.log('| checkpoint | max \\|Δ logits\\| (≤ 1e-3) | gradient cosine (≥ 0.999) | max \\|Δ grad\\| / max\\|grad\\| (≤ 1e-3) |\n|---|---:|---:|---:|');
  for (const v of out.vit) console.log(`| ${v.name} | ${e(v.logitsMaxAbsDiff)} | ${v.gradCosine.toFixed(6)} | ${e(v.gradMaxAbsDiffRel)} |`);
  console.log(`| shapes-vit-hf, 8 PNGs: max \\|Δ probability\\| (≤ 1e-4) | ${e(out.shapes.probsMaxAbsDiff)} | | |`);
  console.log(`\nBlurred img0: max |Δ| = ${e(out.blurMaxAbsDiff)} (≤ 1e-4)\n`);
  console.log('| image | mask mean \\|Δ\\| (≤ 0.01) | mask Pearson r (≥ 0.99) | max \\|Δ p\\| over 100 iterations | max \\|Δ loss\\| |\n|---|---:|---:|---:|---:|');
  for (const p of out.perturb) console.log(`| ${p.image} | ${e(p.maskMeanAbsDiff)} | ${p.maskPearson.toFixed(5)} | ${e(p.probMaxAbsDiff)} | ${e(p.lossMaxAbsDiff)} |`);
  console.log(`\nMask noise 0.2, our RNG (seed 1): correlations with PyTorch's noisy masks ${out.noisy.correlations.map((c) => c.toFixed(3)).join(', ')}; median ${out.noisy.median.toFixed(3)} (≥ 0.85)`);
}
