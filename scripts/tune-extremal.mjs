#!/usr/bin/env node
/**
 * node scripts/tune-extremal.mjs [--data shapes|fixture] [--images N] [--seed S] [--set '<name>=<json>' …] [--grid a,b] [--list] [--table] [--out <dir>]
 *
 * The sweep behind the extremal perturbation's shipped defaults
 * (packages/perturb/src/extremal/options.ts; the table and the reasons are in
 * packages/perturb/src/eval/README.md, "Choosing the defaults"). Explains the
 * images with the BUILT @maskgrad/perturb/node (npm run build first), one set
 * of options per setting, and scores the reported masks by what a reader
 * sees (energy in box, readable region, pointing) for several values of the
 * reporting rule's share (keepShare: chosen after the run, so one run scores
 * them all). The deletion/insertion curves are left to `npm run eval`.
 *
 * Validation data only: --data shapes draws generated shapes from --seed
 * (default 3003, the validation seed; the test seed 2002 of `npm run eval` is
 * never used here); --data fixture takes the eight images of
 * tests/fixtures/shapes-vit-hf (no held-out set exists for that model).
 *
 * Every row spells out its options over the `base` below (so a row means the
 * same thing whatever the shipped defaults are); a row named `shipped` uses {}.
 * Results are appended to <out>/<model>/results.jsonl and reused unless the
 * options, data or image count change. Be kind to shared CPUs: one at a time,
 * under `nice -n 10`.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getBackend } from '@maskgrad/autograd';
import * as models from '@maskgrad/models/node';
import { chooseArea, energyInBox, explainInBatches, insideBox, peakPoint, readable, readerRegion, resolveOptions, saliencyOfExplanation } from '@maskgrad/perturb/node';

import { FIXTURE, fixtureData, parseSetFlag, shapesData } from './eval-data.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'shapes' },
    images: { type: 'string', default: '64' },
    seed: { type: 'string', default: '3003' },
    set: { type: 'string', multiple: true },
    grid: { type: 'string' },
    out: { type: 'string', default: join(root, 'out/tune-extremal') },
    list: { type: 'boolean', default: false },
    table: { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`tune-extremal: ${message}`);
  process.exit(2);
}

/** Sizes in pixels are given at 64 px (the models here) and scaled to the model's side. */
/**
 * Sizes in pixels are given at 64 px (the models here) and scaled to the model's side. The base is
 * the shipped default (D); every row of a grid overrides some of it. (Rows run with `--set` before
 * the defaults were chosen used another base; their options are stored with their results.)
 */
const base = {
  game: 'dual', areas: [0.1, 0.2, 0.3], iterations: 50, lr: 0.1, blurSigma64: 20, levels: 8, maskStep64: 2, maskSigma64: 6,
  maskInit: 1, areaWeight: 300, areaWeightGrowth: 16.4, reward: 'simple', flip: false, keepShare: 0.9, halvings: 0,
};
const GRIDS = {
  // the last round, around the shipped defaults (README, "Choosing the defaults")
  defaults: {
    'D: dual, σ 20, 50 it, lr .1, areas .1 .2 .3': {},
    'D, contrastive': { reward: 'contrastive' },
    'D, 30 it, lr .15': { iterations: 30, lr: 0.15 },
    'D, 100 it': { iterations: 100 },
    'D, flip': { flip: true },
    'C: preservation, σ 20, 30 it, lr .15': { game: 'preservation', iterations: 30, lr: 0.15 },
    'E: dual, σ 20, 50 it, lr .1, areas .05 .1 .2': { areas: [0.05, 0.1, 0.2] },
    'E, mask σ 3': { areas: [0.05, 0.1, 0.2], maskSigma64: 3 },
    'D, mask σ 3': { maskSigma64: 3 },
    'E, mask σ 4': { areas: [0.05, 0.1, 0.2], maskSigma64: 4 },
  },
  // the pyramid's strongest blur: how much evidence the perturbation removes
  sigma: {
    'D, σ 5.7 (TorchRay 20 at 224)': { blurSigma64: 20 * 64 / 224 },
    'D, σ 10': { blurSigma64: 10 },
    'D, σ 16': { blurSigma64: 16 },
  },
};

function explicitOptions(over, side) {
  const o = { ...base, ...over };
  const { blurSigma64, maskStep64, maskSigma64, ...rest } = o;
  return {
    ...rest,
    method: 'extremal',
    blurSigma: (blurSigma64 * side) / 64,
    maskStep: Math.max(1, Math.round((maskStep64 * side) / 64)),
    maskSigma: (maskSigma64 * side) / 64,
  };
}

function loadData() {
  const n = Number(args.images);
  if (!Number.isInteger(n) || n < 1) fail(`--images must be a whole number ≥ 1, got '${args.images}'`);
  if (args.data === 'fixture') return { modelDir: FIXTURE, ...fixtureData(n) };
  if (args.data !== 'shapes') fail(`--data must be 'fixture' or 'shapes', got '${args.data}'`);
  if (args.seed === '2002') fail('seed 2002 is the test seed of npm run eval: tune on validation seeds only (default 3003)');
  return { modelDir: models.defaultModelPath(), ...shapesData(n, Number(args.seed)) };
}

const f3 = (v) => (v === null || v === undefined ? '—' : v.toFixed(3));
const SHARES = [0.5, 0.8, 0.9, 0.95, 0.99];
const header = '| setting | share | energy in box | readable region | box coverage | region in box | erases | pointing | pointing (mask) | mean area | s / image |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
const rowOf = (r, q) => `| ${r.label} | ${q.share} | ${f3(q.energy)} | ${f3(q.readable)} | ${f3(q.coverage)} | ${f3(q.precision)} | ${f3(r.erases)} | ${f3(q.pointing)} | ${f3(q.maskPointing)} | ${f3(q.area)} | ${r.secondsPerImage.toFixed(2)} |`;
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;

/**
 * The reader's measures at each share: the readable region of the mask the
 * rule reports; energy in box and pointing of the saliency map (the mean of
 * the masks of the areas up to the reported one, so the share changes it too;
 * pointing of the reported mask alone as 'pointing (mask)').
 */
function scoreShares(results, boxes, side) {
  return SHARES.map((share) => {
    const per = results.map((r, i) => {
      const k = chooseArea(r.areas, r.probabilityBefore, r.options.game, share);
      const map = saliencyOfExplanation({ ...r, chosenArea: k });
      const m = r.areas[k].upsampledMask.values;
      const region = readerRegion(m, side, side, boxes[i], true);
      return {
        energy: energyInBox(map, side, side, boxes[i]), readable: readable(region) ? 1 : 0, coverage: region.coverage, precision: region.precision,
        pointing: insideBox(peakPoint(map, side, side), boxes[i]) ? 1 : 0, maskPointing: insideBox(peakPoint(m, side, side), boxes[i]) ? 1 : 0,
        area: mean(Array.from(m)), chosen: r.areas[k].area,
      };
    });
    const avg = (key) => mean(per.map((p) => p[key]));
    return {
      share, energy: avg('energy'), readable: avg('readable'), coverage: avg('coverage'), precision: avg('precision'), pointing: avg('pointing'),
      maskPointing: avg('maskPointing'), area: avg('area'),
      perImage: per.map((p) => [p.chosen, +p.coverage.toFixed(3), +p.precision.toFixed(3), p.pointing]),
    };
  });
}

if (args.list) {
  for (const [g, sets] of Object.entries(GRIDS)) {
    console.log(`${g}:`);
    for (const [name, o] of Object.entries(sets)) console.log(`  ${name}  ${JSON.stringify(explicitOptions(o, 64))}`);
  }
  process.exit(0);
}

const { modelDir, images, boxes } = loadData();
const model = models.loadModel(modelDir);
const side = model.imageSize;
const name = basename(modelDir);
const outDir = join(resolve(args.out), name);
const log = join(outDir, 'results.jsonl');
const done = new Map();
if (existsSync(log)) for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) { const r = JSON.parse(line); done.set(r.key, r); }

/**
 * --table: one Markdown table of every setting scored on both models at the shipped keepShare —
 * the built-in model on --images (default 64) validation shapes of --seed, and the fixture's 8
 * images — from the results files (nothing is run).
 */
if (args.table) {
  const rows = (model, images, seed) => {
    const file = join(resolve(args.out), model, 'results.jsonl');
    const out = new Map();
    if (!existsSync(file)) return out;
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line);
      if (r.images === images && (seed === null || r.seed === seed) && r.shares[0].maskPointing !== undefined) out.set(r.label, r);
    }
    return out;
  };
  const shipped = base.keepShare;
  const [builtIn, fixture] = [rows('shapes-vit', Number(args.images), args.seed), rows('shapes-vit-hf', 8, null)];
  const cells = (r) => {
    if (!r) return '— | — | — | —';
    const q = r.shares.find((x) => x.share === shipped);
    return `${f3(q.energy)} | ${f3(q.readable)} | ${f3(q.pointing)} | ${f3(r.erases)}`;
  };
  console.log(`| setting | built-in: energy in box | readable | pointing | erases | fixture: energy in box | readable | pointing | erases | s / image (built-in) |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const label of new Set([...builtIn.keys(), ...fixture.keys()])) {
    const b = builtIn.get(label);
    console.log(`| ${label} | ${cells(b)} | ${cells(fixture.get(label))} | ${b ? b.secondsPerImage.toFixed(2) : '—'} |`);
  }
  process.exit(0);
}

const settings = [];
for (const g of (args.grid ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
  if (!(g in GRIDS)) fail(`unknown grid '${g}'; use some of ${Object.keys(GRIDS).join(', ')}`);
  for (const [label, over] of Object.entries(GRIDS[g])) settings.push({ label, options: explicitOptions(over, side) });
}
for (const s of args.set ?? []) {
  const { label, over } = parseSetFlag(s, fail);
  settings.push({ label, options: label === 'shipped' ? { method: 'extremal' } : explicitOptions(over, side) });
}
if (settings.length === 0) fail('nothing to run: give --grid or --set');

mkdirSync(outDir, { recursive: true });
console.error(`tune-extremal: ${images.length} images (${args.data}, seed ${args.seed}), model ${modelDir}, backend ${getBackend().name}`);
console.log(header);
for (const s of settings) {
  const resolved = resolveOptions(s.options, side);
  const key = JSON.stringify([s.label, resolved, args.data, images.length, args.seed]);
  let r = done.get(key);
  if (!r) {
    const t = performance.now();
    const x = model.resize(model.pixels(images));
    const results = await explainInBatches(model, x, s.options, 8);
    const seconds = (performance.now() - t) / 1000;
    r = {
      key, label: s.label, options: resolved, data: args.data, images: images.length, seed: args.seed, backend: getBackend().name,
      erases: mean(results.map((q) => (q.probabilityPerturbed < 0.5 * q.probabilityBefore ? 1 : 0))),
      secondsPerImage: seconds / images.length, totalSeconds: seconds,
      shares: scoreShares(results, boxes, side),
      perImage: results.map((q) => ({ label: q.label, p: q.probabilityBefore, perturbed: q.probabilityPerturbed, areas: q.areas.map((a) => [a.area, a.probabilityKept, a.probabilityDeleted]) })),
      date: new Date().toISOString(),
    };
    appendFileSync(log, `${JSON.stringify(r)}\n`);
  }
  for (const q of r.shares) console.log(rowOf(r, q));
}
