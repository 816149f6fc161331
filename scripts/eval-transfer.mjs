#!/usr/bin/env node
/**
 * npm run eval:transfer -- [--images N] [--rows a,b,...] [--jobs J] [--reuse] [--out <dir>]
 *
 * Do the shipped defaults hold on models and images nobody tuned them on? The extremal
 * perturbation (shipped defaults) on every row below, scored by scripts/eval.mjs (one child
 * process per row, J at a time), against the targets of issue 20. The explainer's defaults were
 * tuned on the built-in model and the PyTorch fixture only; the two models of
 * tests/fixtures/transfer were trained by `npm run train` with other seeds, widths, depths,
 * patch size, pooling, layout and colour range (their training.json), and the generator's
 * 'heldout' variant (other backgrounds, smaller objects) was kept out of all tuning.
 * Also prints each model's accuracy on the row's images (the explanation is of its top class) and
 * what it calls a featureless image (uniform greys): a class no blur can erase.
 * --reuse keeps a row's results.json from an earlier run with the same number of images instead
 * of explaining again (to re-print the table). Writes <out>/transfer.md and transfer.json. Uses the BUILT packages (npm run build first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { noGrad, softmax } from '@maskgrad/autograd';
import * as models from '@maskgrad/models/node';

import { fixtureData } from './eval-data.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TRANSFER = join(root, 'tests/fixtures/transfer');
const USAGE = 'usage: npm run eval:transfer -- [--images N] [--rows <names>] [--jobs J] [--reuse] [--out <dir>]';

/** model: a folder (null: the built-in model); data: eval.mjs's --data; tuned: whether the defaults were tuned on this model and data. */
const ROWS = [
  { name: 'builtin-standard', model: null, data: 'shapes', tuned: true },
  { name: 'fixture', model: join(root, 'tests/fixtures/shapes-vit-hf'), data: 'fixture', tuned: true },
  { name: 'builtin-heldout', model: null, data: 'heldout', tuned: false },
  { name: 'p8-standard', model: join(TRANSFER, 'shapes-p8-hf'), data: 'shapes', tuned: false },
  { name: 'p8-heldout', model: join(TRANSFER, 'shapes-p8-hf'), data: 'heldout', tuned: false },
  { name: 'timm-standard', model: join(TRANSFER, 'shapes-avg-timm'), data: 'shapes', tuned: false },
  { name: 'timm-heldout', model: join(TRANSFER, 'shapes-avg-timm'), data: 'heldout', tuned: false },
];
const SEED = { shapes: 2002, heldout: 7007 };
/** Issue 20's targets for the shipped defaults. */
const TARGETS = { readable: 7 / 8, energy: 0.6, erases: 7 / 8, pointing: 0.95 };

function fail(message) {
  console.error(`eval:transfer: ${message}\n${USAGE}`);
  process.exit(2);
}

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '32' },
    rows: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    reuse: { type: 'boolean', default: false },
    out: { type: 'string', default: join(root, 'out/eval-transfer') },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(`${USAGE}\nrows: ${ROWS.map((r) => r.name).join(', ')}`);
  process.exit(0);
}
const count = Number(args.images);
if (!Number.isInteger(count) || count < 1) fail(`--images must be a whole number ≥ 1, got '${args.images}'`);
const jobs = Number(args.jobs);
if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs must be a whole number ≥ 1, got '${args.jobs}'`);
const wanted = args.rows ? args.rows.split(',').map((s) => s.trim()) : ROWS.map((r) => r.name);
for (const w of wanted) if (!ROWS.some((r) => r.name === w)) fail(`unknown row '${w}' in --rows; use some of ${ROWS.map((r) => r.name).join(', ')}`);
const rows = ROWS.filter((r) => wanted.includes(r.name));

/** The model's top-1 accuracy on the row's generated images (the fixture: its reference labels). */
async function accuracy(model, row, n) {
  if (row.data === 'fixture') {
    const { images, ref } = fixtureData(n);
    return models.evaluateAccuracy(model, images, images.map((_, i) => Number(ref.read(`label_img${i}`)[0])), 32);
  }
  const samples = models.makeShapesDataset(n, SEED[row.data], { variant: row.data === 'heldout' ? 'heldout' : 'standard' });
  return models.evaluateAccuracy(model, samples.map((s) => s.image), samples.map((s) => s.label), 32);
}

/** What the model calls a featureless image (uniform greys 0, 64, 128): a class the blur cannot erase. */
async function featureless(model) {
  const greys = [0, 64, 128];
  const side = model.imageSize;
  const parts = [];
  for (const g of greys) {
    const grey = { width: side, height: side, data: new Uint8Array(side * side * 3).fill(g) };
    const p = await noGrad(() => softmax(model.forward(model.normalize(model.pixels(grey))), -1)).data();
    const top = p.indexOf(Math.max(...p));
    parts.push(`grey ${g}: ${model.labels[top]} ${p[top].toFixed(2)}`);
  }
  return parts.join(', ');
}

function runEval(row, outDir) {
  const argv = [join(root, 'scripts/eval.mjs'), '--data', row.data, '--images', String(count), '--methods', 'extremal', '--out', outDir];
  if (row.model) argv.push('--model', row.model);
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => (code === 0 ? resolveRun() : reject(new Error(`eval.mjs for row ${row.name} exited ${code}:\n${err.slice(-2000)}`))));
  });
}

const t0 = performance.now();
const out = join(args.out);
mkdirSync(out, { recursive: true });
const results = new Array(rows.length);
let next = 0;
async function worker() {
  while (next < rows.length) {
    const i = next++;
    const row = rows[i];
    const outDir = join(out, row.name);
    const started = performance.now();
    const modelName = row.model ? row.model.split('/').pop() : 'shapes-vit';
    const file = join(outDir, modelName, 'results.json');
    const earlier = args.reuse && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
    const expected = row.data === 'fixture' ? Math.min(count, 8) : count;
    if (!earlier || earlier.images.length !== expected) await runEval(row, outDir);
    const json = earlier && earlier.images.length === expected ? earlier : JSON.parse(readFileSync(file, 'utf8'));
    const ex = json.methods.extremal;
    const model = models.loadModel(row.model ?? models.defaultModelPath());
    results[i] = { row, accuracy: await accuracy(model, row, count), featureless: await featureless(model), images: json.images.length, extremal: ex, seconds: (performance.now() - started) / 1000 };
    console.error(`eval:transfer: ${row.name} done in ${results[i].seconds.toFixed(0)} s`);
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, rows.length) }, worker));

const f3 = (v) => (v === null || v === undefined ? '—' : v.toFixed(3));
const mark = (v, target) => (v >= target - 1e-9 ? `${f3(v)}` : `${f3(v)} ✗`);
const lines = [
  '| model | images | tuned on? | accuracy | readable (≥ 0.875) | energy in box (≥ 0.6) | erases (≥ 0.875) | pointing (≥ 0.95) | sweep falls > 0.02 | border share | s / image |',
  '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const r of results) {
  const e = r.extremal;
  const model = r.row.model ? relative(root, r.row.model) : 'built-in (packages/models/assets/shapes-vit)';
  const data = r.row.data === 'fixture' ? 'fixture, 8' : `${r.row.data === 'heldout' ? 'held-out variant' : 'standard'}, seed ${SEED[r.row.data]}, ${r.images}`;
  const falls = e.sweepFalls === null || e.sweepFalls === undefined ? '—' : `${e.sweepFalls}/${r.images}`;
  lines.push(`| ${model} | ${data} | ${r.row.tuned ? 'yes' : '**no**'} | ${f3(r.accuracy)} | ${mark(e.readable, TARGETS.readable)} | ${mark(e.energy, TARGETS.energy)} | ` +
    `${mark(e.erases, TARGETS.erases)} | ${mark(e.pointing, TARGETS.pointing)} | ${falls} | ${f3(e.border)} | ${e.secondsPerImage.toFixed(2)} |`);
}
const perModel = [...new Map(results.map((r) => [r.row.model ?? 'built-in', r])).values()];
lines.push('', '| model | what it calls a featureless image (top class, p) |', '|---|---|');
for (const r of perModel) lines.push(`| ${r.row.model ? relative(root, r.row.model) : 'built-in'} | ${r.featureless} |`);
const seconds = (performance.now() - t0) / 1000;
const command = process.argv.length > 2 ? `npm run eval:transfer -- ${process.argv.slice(2).join(' ')}` : 'npm run eval:transfer';
const table = lines.join('\n');
writeFileSync(join(out, 'transfer.md'), `# ${command}\n\n${table}\n\n${seconds.toFixed(0)} s in all; ✗: below the target.\n`);
writeFileSync(join(out, 'transfer.json'), JSON.stringify({ command, date: new Date().toISOString(), seconds, targets: TARGETS, rows: results }, null, 2));
console.log(table);
console.log(`\n${seconds.toFixed(0)} s in all; ✗ marks a figure below its target. Wrote ${join(out, 'transfer.md')} and transfer.json`);
