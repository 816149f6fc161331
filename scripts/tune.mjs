#!/usr/bin/env node
/**
 * node scripts/tune.mjs [--data fixture|shapes] [--model <dir>] [--images N] [--seed S]
 *                       [--grid a,b,…] [--set '<name>=<json>'] [--batch N] [--fresh] [--probe] [--list] [--out <dir>]
 *
 * The sweep behind the meaningful perturbation's shipped defaults
 * (packages/perturb/src/options.ts; the table is in packages/perturb/src/eval/README.md,
 * "Tuning the defaults"). Runs evaluate() from the BUILT @maskgrad/perturb/node
 * (npm run build first) with methods ['meaningful'] only and one set of
 * `explainOptions` per setting, and prints one Markdown row per setting:
 * pointing, centroid pointing, deletion AUC, insertion AUC, mean area, s/image,
 * plus which images were hit.
 *
 * Fair comparison across settings:
 * - every setting spells out EVERY option (the `base` below + its overrides), so a row means the
 *   same thing whatever the current DEFAULTS are; only the row named `shipped` uses {} (the
 *   defaults of the build being run);
 * - the deletion/insertion curves always blur with σ = 10·side/224 (the seed project's blur,
 *   `curveBlurSigma` passed explicitly), whatever the setting's own blur σ, so the AUCs are
 *   measured against the same fixed baseline.
 *
 * Results are appended to <out>/<model>/results.jsonl; a setting already there (same name,
 * options, images and batch) is reused unless --fresh. --probe prints, per image, the target
 * probability of the fully perturbed image for several perturbations (does the perturbation
 * remove the evidence at all?). --list prints the grids. Be kind to shared CPUs: run it with
 * `nice -n 10`, one at a time.
 *
 * Regenerate the README table (fixture model, 8 images; ~25 min on 2 busy CPU cores):
 *   npm run build && nice -n 10 node scripts/tune.mjs --grid all
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getBackend, noGrad, tensor } from '@maskgrad/autograd';
import * as models from '@maskgrad/models/node';
import { baselineOf, evaluate, resolveOptions } from '@maskgrad/perturb/node';

import { FIXTURE, fixtureData, parseSetFlag, shapesData } from './eval-data.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'fixture' },
    model: { type: 'string' },
    images: { type: 'string', default: '8' },
    seed: { type: 'string', default: '2002' },
    grid: { type: 'string' },
    set: { type: 'string', multiple: true },
    batch: { type: 'string', default: '8' },
    out: { type: 'string', default: join(root, 'out/tune') },
    fresh: { type: 'boolean', default: false },
    probe: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    table: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

/**
 * The starting point: the PyTorch reference run (tests/fixtures/shapes-vit-hf/perturb_config.json),
 * pointing 0.75 on the fixture. Sizes in px are for the 64 px model; `*Frac` keys are turned into
 * pixels for the model's side below (maskSize = side·maskFrac, blurSigma = side·sigmaFrac).
 */
const base = {
  game: 'deletion', perturbation: 'blur', iterations: 100, maskFrac: 1 / 4, sigmaFrac: 3 / 64, l1: 0.01, tv: 0.2, tvBeta: 3,
  lr: 0.1, maskNoise: 0, jitter: 0, maskInit: 1, seed: 0,
};
/** σ = 10·side/224: the paper's 10 px at 224 (2.86 px at 64). */
const SEED_SIGMA = 10 / 224;

/** The chosen defaults, as overrides of `base` (mask side 16 = side/4 at 64 px). */
const C = { game: 'preservation', maskInit: 0.5, l1: 0.1, iterations: 40, lr: 0.2, sigmaFrac: SEED_SIGMA };

/** name → overrides of `base`. */
const GRIDS = {
  // the two ends: what shipped before, and the PyTorch reference settings
  anchors: {
    'old shipped (300 it, m/8, σ 2.86, noise .2, jitter 1)': { iterations: 300, maskFrac: 1 / 8, sigmaFrac: SEED_SIGMA, maskNoise: 0.2, jitter: 1 },
    'reference (100 it, m/4, σ 3)': {},
  },
  // the perturbation: blur σ (in px at 64), constant mean colour, noise
  perturbation: {
    'blur σ 2.86 (10·side/224)': { sigmaFrac: SEED_SIGMA },
    'blur σ 4': { sigmaFrac: 4 / 64 },
    'blur σ 5': { sigmaFrac: 5 / 64 },
    'blur σ 6': { sigmaFrac: 6 / 64 },
    'blur σ 8 (side/8)': { sigmaFrac: 8 / 64 },
    'blur σ 10': { sigmaFrac: 10 / 64 },
    'constant (mean colour)': { perturbation: 'constant' },
    'noise (std 0.3)': { perturbation: 'noise', noiseStd: 0.3 },
  },
  // the game, and the preservation mask's initial value
  game: {
    'preservation σ 3 init .5': { game: 'preservation', maskInit: 0.5 },
    'preservation σ 3 init 1': { game: 'preservation', maskInit: 1 },
    'preservation σ 6 init .5': { game: 'preservation', maskInit: 0.5, sigmaFrac: 6 / 64 },
    'preservation σ 6 init 1': { game: 'preservation', maskInit: 1, sigmaFrac: 6 / 64 },
    'preservation σ 6 init 0': { game: 'preservation', maskInit: 0, sigmaFrac: 6 / 64 },
    'preservation constant init .5': { game: 'preservation', maskInit: 0.5, perturbation: 'constant' },
  },
  // mask resolution: side/8 vs side/4
  mask: {
    'mask side/8': { maskFrac: 1 / 8 },
    'preservation, mask side/8': { game: 'preservation', maskInit: 0.5, maskFrac: 1 / 8 },
  },
  // iterations × lr (the budget: ≤ 3 s/image)
  budget: {
    '50 it, lr .1': { iterations: 50 },
    '50 it, lr .2': { iterations: 50, lr: 0.2 },
    '100 it, lr .2': { lr: 0.2 },
    '150 it, lr .1': { iterations: 150 },
    '150 it, lr .2': { iterations: 150, lr: 0.2 },
    '30 it, lr .3': { iterations: 30, lr: 0.3 },
  },
  // the seed project's regularizers of the optimization: mask noise and jitter
  noise: {
    'mask noise .1': { maskNoise: 0.1 },
    'mask noise .2': { maskNoise: 0.2 },
    'jitter 1': { jitter: 1 },
    'mask noise .1, jitter 1': { maskNoise: 0.1, jitter: 1 },
    'preservation, mask noise .1': { game: 'preservation', maskInit: 0.5, maskNoise: 0.1 },
    'preservation, jitter 1': { game: 'preservation', maskInit: 0.5, jitter: 1 },
  },
  // the sparsity and smoothness weights
  weights: {
    'l1 .003': { l1: 0.003 },
    'l1 .03': { l1: 0.03 },
    'l1 .1': { l1: 0.1 },
    'tv .05': { tv: 0.05 },
    'tv 1': { tv: 1 },
    'tv 3': { tv: 3 },
    'preservation, l1 .03': { game: 'preservation', maskInit: 0.5, l1: 0.03 },
    'preservation, tv 1': { game: 'preservation', maskInit: 0.5, tv: 1 },
  },
  // the preservation game (mask init 0.5) around l1 .03: weights, σ, budget, noise, mask size
  preservation: {
    'P: l1 .03, σ 2.86 (10·side/224)': { game: 'preservation', maskInit: 0.5, l1: 0.03, sigmaFrac: SEED_SIGMA },
    'P: l1 .05': { game: 'preservation', maskInit: 0.5, l1: 0.05 },
    'P: l1 .1': { game: 'preservation', maskInit: 0.5, l1: 0.1 },
    'P: l1 .03, tv 1': { game: 'preservation', maskInit: 0.5, l1: 0.03, tv: 1 },
    'P: l1 .03, σ 5': { game: 'preservation', maskInit: 0.5, l1: 0.03, sigmaFrac: 5 / 64 },
    'P: l1 .03, σ 8': { game: 'preservation', maskInit: 0.5, l1: 0.03, sigmaFrac: 8 / 64 },
    'P: l1 .03, constant': { game: 'preservation', maskInit: 0.5, l1: 0.03, perturbation: 'constant' },
    'P: l1 .03, init 1': { game: 'preservation', maskInit: 1, l1: 0.03 },
    'P: l1 .03, init 0': { game: 'preservation', maskInit: 0, l1: 0.03 },
    'P: l1 .03, mask side/8': { game: 'preservation', maskInit: 0.5, l1: 0.03, maskFrac: 1 / 8 },
    'P: l1 .03, mask noise .1': { game: 'preservation', maskInit: 0.5, l1: 0.03, maskNoise: 0.1 },
    'P: l1 .03, jitter 1': { game: 'preservation', maskInit: 0.5, l1: 0.03, jitter: 1 },
  },
  // the preservation game's budget: iterations × lr
  pbudget: {
    'P: l1 .03, 50 it, lr .1': { game: 'preservation', maskInit: 0.5, l1: 0.03, iterations: 50 },
    'P: l1 .03, 50 it, lr .2': { game: 'preservation', maskInit: 0.5, l1: 0.03, iterations: 50, lr: 0.2 },
    'P: l1 .03, 30 it, lr .2': { game: 'preservation', maskInit: 0.5, l1: 0.03, iterations: 30, lr: 0.2 },
    'P: l1 .03, 30 it, lr .3': { game: 'preservation', maskInit: 0.5, l1: 0.03, iterations: 30, lr: 0.3 },
    'P: l1 .03, 150 it, lr .1': { game: 'preservation', maskInit: 0.5, l1: 0.03, iterations: 150 },
  },
  // fast preservation: stronger l1 at 30–50 iterations
  pfast: {
    'P: l1 .05, 50 it, lr .2': { game: 'preservation', maskInit: 0.5, l1: 0.05, iterations: 50, lr: 0.2 },
    'P: l1 .1, 50 it, lr .2': { game: 'preservation', maskInit: 0.5, l1: 0.1, iterations: 50, lr: 0.2 },
    'P: l1 .05, 30 it, lr .2': { game: 'preservation', maskInit: 0.5, l1: 0.05, iterations: 30, lr: 0.2 },
    'P: l1 .1, 30 it, lr .2': { game: 'preservation', maskInit: 0.5, l1: 0.1, iterations: 30, lr: 0.2 },
    'P: l1 .1, 40 it, lr .2': { game: 'preservation', maskInit: 0.5, l1: 0.1, iterations: 40, lr: 0.2 },
    'P: l1 .1, 30 it, lr .3': { game: 'preservation', maskInit: 0.5, l1: 0.1, iterations: 30, lr: 0.3 },
  },
  // robustness around the chosen defaults (C): one knob at a time
  robust: {
    'C = P, l1 .1, 40 it, lr .2, σ 2.86, mask 16': { ...C },
    'C, 20 it, lr .3': { ...C, iterations: 20, lr: 0.3 },
    'C, 60 it': { ...C, iterations: 60 },
    'C, lr .1': { ...C, lr: 0.1 },
    'C, l1 .05': { ...C, l1: 0.05 },
    'C, l1 .2': { ...C, l1: 0.2 },
    'C, tv .05': { ...C, tv: 0.05 },
    'C, tv 1': { ...C, tv: 1 },
    'C, σ 4': { ...C, sigmaFrac: 4 / 64 },
    'C, mask side/8': { ...C, maskFrac: 1 / 8 },
    'C, mask noise .1': { ...C, maskNoise: 0.1 },
    'C, jitter 1': { ...C, jitter: 1 },
    'C, init 1': { ...C, maskInit: 1 },
    'C, deletion game (init 1)': { ...C, game: 'deletion', maskInit: 1 },
  },
  // second round, run on the built-in model too (--data shapes --seed 3003): σ, finer masks, lr, mask noise
  round2: {
    'C, σ 3.5': { ...C, sigmaFrac: 3.5 / 64 },
    'C, σ 5': { ...C, sigmaFrac: 5 / 64 },
    'C, mask side/2': { ...C, maskFrac: 1 / 2 },
    'C, mask 24': { ...C, maskSize: 24 },
    'C, lr .1, mask noise .1': { ...C, lr: 0.1, maskNoise: 0.1 },
    'C, σ 4, lr .1': { ...C, sigmaFrac: 4 / 64, lr: 0.1 },
    'C, σ 4, mask noise .1': { ...C, sigmaFrac: 4 / 64, maskNoise: 0.1 },
    'C, σ 4, l1 .05': { ...C, sigmaFrac: 4 / 64, l1: 0.05 },
  },
  // third round: stronger blurs, for images whose lightly blurred version still shows the class
  sigma: {
    'C, σ 6': { ...C, sigmaFrac: 6 / 64 },
    'C, σ 8': { ...C, sigmaFrac: 8 / 64 },
    'C, σ 12': { ...C, sigmaFrac: 12 / 64 },
    'C, σ 16': { ...C, sigmaFrac: 16 / 64 },
  },
  // finer masks: most strict-pointing misses peak 1–2 px outside the box (cells of 4 px at mask 16)
  fine: {
    'C, mask 32': { ...C, maskSize: 32 },
    'C, mask 24': { ...C, maskSize: 24 },
    'C, mask 32, tv .05': { ...C, maskSize: 32, tv: 0.05 },
    'C, mask 32, σ 4': { ...C, maskSize: 32, sigmaFrac: 4 / 64 },
  },
  // around mask 32, tv .05
  fine2: {
    'C, mask 32, tv .05, lr .1': { ...C, maskSize: 32, tv: 0.05, lr: 0.1 },
    'C, mask 32, tv .05, 60 it': { ...C, maskSize: 32, tv: 0.05, iterations: 60 },
    'C, mask 32, tv 0': { ...C, maskSize: 32, tv: 0 },
    'C, mask 32, tv .05, l1 .05': { ...C, maskSize: 32, tv: 0.05, l1: 0.05 },
    'C, mask 32, tv .05, σ 2': { ...C, maskSize: 32, tv: 0.05, sigmaFrac: 2 / 64 },
    'C, mask 32, tv .05, mask noise .1': { ...C, maskSize: 32, tv: 0.05, maskNoise: 0.1 },
  },
  // around mask 32, tv .05, σ 2
  fine3: {
    'C, mask 32, tv .05, σ 2, lr .1': { ...C, maskSize: 32, tv: 0.05, sigmaFrac: 2 / 64, lr: 0.1 },
    'C, mask 32, tv .05, σ 1.5': { ...C, maskSize: 32, tv: 0.05, sigmaFrac: 1.5 / 64 },
    'C, mask 32, tv 0, σ 2': { ...C, maskSize: 32, tv: 0, sigmaFrac: 2 / 64 },
    'C, mask 32, tv .05, σ 2.5': { ...C, maskSize: 32, tv: 0.05, sigmaFrac: 2.5 / 64 },
  },
  // the smaller blur at mask 16
  fine4: {
    'C, σ 2': { ...C, sigmaFrac: 2 / 64 },
    'C, σ 1.5': { ...C, sigmaFrac: 1.5 / 64 },
    'C, tv .05, σ 2': { ...C, tv: 0.05, sigmaFrac: 2 / 64 },
  },
  // the deletion game with perturbations that do remove the object (constant colour, strong blur)
  strong: {
    'D: deletion, constant, mask 16': { ...C, game: 'deletion', maskInit: 1, perturbation: 'constant' },
    'D: deletion, constant, mask 32, tv .05': { ...C, game: 'deletion', maskInit: 1, perturbation: 'constant', maskSize: 32, tv: 0.05 },
    'D: deletion, σ 8, mask 16': { ...C, game: 'deletion', maskInit: 1, sigmaFrac: 8 / 64 },
    'D: deletion, constant, mask 16, l1 .03': { ...C, game: 'deletion', maskInit: 1, perturbation: 'constant', l1: 0.03 },
    'P: preservation, constant, mask 16': { ...C, perturbation: 'constant' },
    'P: preservation, σ 8, mask 32, tv .05': { ...C, maskSize: 32, tv: 0.05, sigmaFrac: 8 / 64 },
  },
  // whatever the build being run ships (options {}): the last row of the README table
  final: { 'shipped defaults': null },
};

/**
 * --table: one Markdown table of every setting run on both models — the built-in model on
 * --images (default 128 with --table) validation shapes of --seed 3003, and the fixture's 8 images —
 * from the results files (nothing is run). The 'shipped…' rows are left out: they mean
 * whatever was shipped when they ran.
 */
if (args.table) {
  const load = (model, images, seed) => {
    const file = join(resolve(args.out), model, 'results.jsonl');
    const rows = new Map();
    if (!existsSync(file)) return rows;
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const r = JSON.parse(line);
      if (r.images === images && (seed === undefined || JSON.parse(r.key)[4] === seed) && !r.label.startsWith('shipped')) rows.set(r.label, r);
    }
    return rows;
  };
  const builtIn = load('shapes-vit', args.images === '8' ? 128 : Number(args.images), '3003');
  const fixture = load('shapes-vit-hf', 8);
  const f = (r, k) => (r ? r[k].toFixed(3) : '—');
  console.log('| setting | built-in: pointing | centroid | deletion AUC ↓ | fixture: pointing | centroid | deletion AUC ↓ |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const label of new Set([...builtIn.keys(), ...fixture.keys()])) {
    const [b, x] = [builtIn.get(label), fixture.get(label)];
    console.log(`| ${label} | ${f(b, 'pointing')} | ${f(b, 'pointingCentroid')} | ${f(b, 'deletionAuc')} | ${f(x, 'pointing')} | ${f(x, 'pointingCentroid')} | ${f(x, 'deletionAuc')} |`);
  }
  process.exit(0);
}

if (args.list) {
  for (const [g, sets] of Object.entries(GRIDS)) {
    console.log(`${g}:`);
    for (const [name, o] of Object.entries(sets)) console.log(`  ${name}  ${o === null ? '{} (the shipped defaults)' : JSON.stringify(explicitOptions(o, 64))}`);
  }
  process.exit(0);
}

function fail(message) {
  console.error(`tune: ${message}`);
  process.exit(2);
}

/** Overrides → the full, explicit explain options for an image of `side` px. */
function explicitOptions(over, side) {
  const o = { ...base, ...over };
  const { maskFrac, sigmaFrac, ...rest } = o;
  return {
    ...rest,
    maskSize: o.maskSize ?? Math.max(2, Math.round(side * maskFrac)),
    blurSigma: o.blurSigma ?? side * sigmaFrac,
    jitter: Math.round((o.jitter * side) / 64),
  };
}

function loadData() {
  const n = Number(args.images);
  if (!Number.isInteger(n) || n < 1) fail(`--images must be a whole number ≥ 1, got '${args.images}'`);
  if (args.data === 'fixture') return { modelDir: args.model ? resolve(args.model) : FIXTURE, ...fixtureData(n) };
  if (args.data !== 'shapes') fail(`--data must be 'fixture' or 'shapes', got '${args.data}'`);
  const modelDir = args.model ? resolve(args.model) : models.defaultModelPath();
  if (!existsSync(modelDir)) fail('no built-in model (packages/models/assets/shapes-vit); pass --model <dir>');
  return { modelDir, ...shapesData(n, Number(args.seed)) };
}

const { modelDir, images, boxes } = loadData();
const model = models.loadModel(modelDir);
const side = model.imageSize;
const curveBlurSigma = (10 * side) / 224;
const batchSize = Number(args.batch);
const backend = getBackend().name;
const name = basename(modelDir);
console.error(`tune: ${images.length} images (${args.data}), model ${modelDir} (${side} px), backend ${backend}, batch ${batchSize}, curve blur σ ${curveBlurSigma.toFixed(2)}`);

if (args.probe) {
  // target probability of the clean image and of the whole image perturbed
  const x = noGrad(() => {
    const px = images.map((im) => model.resize(model.pixels(im)));
    return px.length === 1 ? px[0] : px[0].concat(px.slice(1), 0);
  });
  const probs = (t) => noGrad(() => model.forward(model.normalize(t)).softmax(-1)).data();
  const clean = await probs(x);
  const c = model.labels.length;
  const targets = images.map((_, k) => {
    const row = Array.from(clean.subarray(k * c, (k + 1) * c));
    return row.indexOf(Math.max(...row));
  });
  const rows = [['clean', clean]];
  for (const s of [curveBlurSigma, 3, 4, 5, 6, 8, 10, 12]) {
    rows.push([`blur σ ${s.toFixed(2)}`, await probs(baselineOf(x, resolveOptions({ method: 'meaningful', perturbation: 'blur', blurSigma: s }, side)))]);
  }
  rows.push(['constant (mean colour)', await probs(baselineOf(x, resolveOptions({ method: 'meaningful', perturbation: 'constant' }, side)))]);
  rows.push(['noise std 0.3', await probs(baselineOf(x, resolveOptions({ method: 'meaningful', perturbation: 'noise', noiseStd: 0.3 }, side)))]);
  console.log(`| perturbation of the whole image | ${images.map((_, k) => `img${k} (${model.labels[targets[k]]})`).join(' | ')} | mean |`);
  console.log(`|---|${images.map(() => '---:').join('|')}|---:|`);
  for (const [label, p] of rows) {
    const v = targets.map((t, k) => p[k * c + t]);
    console.log(`| ${label} | ${v.map((q) => q.toFixed(3)).join(' | ')} | ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)} |`);
  }
  void tensor;
  process.exit(0);
}

const settings = [];
for (const g of (args.grid ?? (args.set ? '' : 'final')).split(',').map((s) => s.trim()).filter(Boolean)) {
  const groups = g === 'all' ? Object.keys(GRIDS) : [g];
  for (const key of groups) {
    if (!(key in GRIDS)) fail(`unknown grid '${key}'; use some of ${Object.keys(GRIDS).join(', ')}, all`);
    for (const [label, over] of Object.entries(GRIDS[key])) settings.push({ grid: key, label, options: over === null ? { method: 'meaningful' } : explicitOptions(over, side) });
  }
}
for (const s of args.set ?? []) {
  const { label, over } = parseSetFlag(s, fail);
  // 'shipped' = the defaults of the build being run; anything else is explicit
  settings.push({ grid: 'set', label, options: label === 'shipped' ? { method: 'meaningful' } : explicitOptions(over, side) });
}
if (settings.length === 0) fail('nothing to run: give --grid or --set');

const outDir = join(resolve(args.out), name);
mkdirSync(outDir, { recursive: true });
const log = join(outDir, 'results.jsonl');
// a row of {} (the shipped defaults) is keyed by what those defaults resolve to in this build
const keyOf = (s) => JSON.stringify([s.label, s.label === 'shipped' || s.grid === 'final' ? { shipped: resolveOptions({ method: 'meaningful' }, side) } : s.options, args.data, images.length, args.seed, batchSize]);
const done = new Map();
if (!args.fresh && existsSync(log)) {
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    done.set(r.key, r);
  }
}

const f3 = (v) => v.toFixed(3);
const header = '| setting | pointing | pointing (centroid) | deletion AUC ↓ | insertion AUC ↑ | mean area | s / image | hits |\n|---|---:|---:|---:|---:|---:|---:|---|';
const rowOf = (r) => `| ${r.label} | ${f3(r.pointing)} | ${f3(r.pointingCentroid)} | ${f3(r.deletionAuc)} | ${f3(r.insertionAuc)} | ${f3(r.meanArea)} | ${r.secondsPerImage.toFixed(2)} | ${r.hits} |`;
console.log(header);
const rows = [];
for (const s of settings) {
  const key = keyOf(s);
  let r = done.get(key);
  if (!r) {
    const t = performance.now();
    const res = await evaluate(model, images, boxes, { methods: ['meaningful'], explainOptions: s.options, curveBlurSigma, batchSize });
    const m = res.methods.meaningful;
    r = {
      key, grid: s.grid, label: s.label, options: res.settings.explainOptions, data: args.data, images: images.length, backend,
      pointing: m.pointing, pointingCentroid: m.pointingCentroid, deletionAuc: m.deletionAuc, insertionAuc: m.insertionAuc, meanArea: m.meanArea,
      secondsPerImage: m.secondsPerImage, totalSeconds: (performance.now() - t) / 1000,
      hits: res.images.map((im) => (im.methods.meaningful.pointing ? 'x' : '.')).join(''),
      perImage: res.images.map((im) => ({ deletionAuc: im.methods.meaningful.deletionAuc, peak: im.methods.meaningful.peak, box: im.box })),
      date: new Date().toISOString(),
    };
    appendFileSync(log, `${JSON.stringify(r)}\n`);
  }
  rows.push(r);
  console.log(rowOf(r));
}
console.error(`tune: ${rows.length} settings; results in ${log}`);
