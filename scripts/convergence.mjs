#!/usr/bin/env node
/**
 * node scripts/convergence.mjs [--images N] [--seed S] [--budgets 25,50,…] [--out <dir>] [--figure <svg>]
 *
 * How many iterations does the extremal perturbation need? Explains N
 * validation shapes (default 16 of seed 3003; never the test seed 2002) with
 * the shipped defaults at each iteration budget (the area weight's growth is
 * spread over each run, so every budget ends at the same constraint), and
 * measures what a reader sees (the reported mask's readable region; energy in
 * the box and pointing of the saliency map, the mean of the masks of the
 * areas up to the reported one, as evaluate() does), the probability the reported region keeps, and
 * how far each budget's masks are from the longest budget's (mean |ΔM| over
 * every area's mask). Also records, for the default budget, the reward and
 * the area penalty at every iteration.
 *
 * Writes <out>/results.json and the figure (default
 * docs/images/extremal-convergence.svg), and prints a Markdown table.
 * Uses the BUILT packages (npm run build first).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getBackend } from '@maskgrad/autograd';
import * as models from '@maskgrad/models/node';
import { DEFAULTS, energyInBox, explainInBatches, insideBox, peakPoint, readable, readerRegion, saliencyOfExplanation } from '@maskgrad/perturb/node';
import { shapesData } from './eval-data.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '16' },
    seed: { type: 'string', default: '3003' },
    budgets: { type: 'string', default: '25,50,100,200,400' },
    out: { type: 'string', default: join(root, 'out/convergence') },
    figure: { type: 'string', default: join(root, 'docs/images/extremal-convergence.svg') },
  },
});
const fail = (m) => { console.error(`convergence: ${m}`); process.exit(2); };
const n = Number(args.images);
if (!Number.isInteger(n) || n < 1) fail(`--images must be a whole number ≥ 1, got '${args.images}'`);
if (args.seed === '2002') fail('seed 2002 is the test seed of npm run eval: use a validation seed (default 3003)');
const budgets = args.budgets.split(',').map(Number).sort((a, b) => a - b);
if (budgets.some((b) => !Number.isInteger(b) || b < 1)) fail(`--budgets must be whole numbers ≥ 1, got '${args.budgets}'`);
if (!budgets.includes(DEFAULTS.extremal.iterations)) budgets.push(DEFAULTS.extremal.iterations), budgets.sort((a, b) => a - b);

const model = models.loadDefaultModel();
const side = model.imageSize;
const { images, boxes } = shapesData(n, Number(args.seed));
const x = model.resize(model.pixels(images));
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
console.error(`convergence: ${n} shapes of seed ${args.seed}, budgets ${budgets.join(', ')}, backend ${getBackend().name}`);

const runs = [];
for (const iterations of budgets) {
  const t = performance.now();
  const results = await explainInBatches(model, x, { iterations }, 8);
  const seconds = (performance.now() - t) / 1000;
  // as evaluate() scores them: the readable region of the reported mask, energy and pointing of the saliency (the mean of the masks up to the reported area)
  const per = results.map((r, i) => {
    const s = saliencyOfExplanation(r);
    const region = readerRegion(r.upsampledMask.values, side, side, boxes[i], true);
    return { energy: energyInBox(s, side, side, boxes[i]), readable: readable(region) ? 1 : 0, pointing: insideBox(peakPoint(s, side, side), boxes[i]) ? 1 : 0, kept: r.probabilityAfter / r.probabilityBefore };
  });
  runs.push({ iterations, seconds, results, energy: mean(per.map((p) => p.energy)), readable: mean(per.map((p) => p.readable)), pointing: mean(per.map((p) => p.pointing)), kept: mean(per.map((p) => p.kept)) });
  console.error(`  ${iterations} iterations: ${seconds.toFixed(1)} s`);
}
// how far each budget's masks are from the longest budget's, every area of every image
const last = runs[runs.length - 1].results;
for (const run of runs) {
  run.maskChange = mean(run.results.flatMap((r, i) => r.areas.map((a, j) => mean(Array.from(a.upsampledMask.values, (v, p) => Math.abs(v - last[i].areas[j].upsampledMask.values[p]))))));
}
// the default budget's run, iteration by iteration: reward (−loss + λ·penalty is not kept; the loss and the area penalty are)
const shipped = runs.find((r) => r.iterations === DEFAULTS.extremal.iterations);
const curve = shipped.results[0].history.map((_, t) => ({
  iteration: t,
  probability: mean(shipped.results.flatMap((r) => r.areas.map((a) => a.history[t].probability))),
  areaLoss: mean(shipped.results.flatMap((r) => r.areas.map((a) => a.history[t].areaLoss))),
}));

mkdirSync(resolve(args.out), { recursive: true });
const rows = runs.map(({ results: _r, ...rest }) => rest);
writeFileSync(join(resolve(args.out), 'results.json'), JSON.stringify({ images: n, seed: args.seed, backend: getBackend().name, date: new Date().toISOString(), runs: rows, curve }, null, 2));
writeFileSync(resolve(args.figure), figure(rows, curve));

const f3 = (v) => v.toFixed(3);
console.log('| iterations | energy in box | readable region | pointing | p kept / p | mean \\|ΔM\\| to the longest | s / image |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.iterations} | ${f3(r.energy)} | ${f3(r.readable)} | ${f3(r.pointing)} | ${f3(r.kept)} | ${f3(r.maskChange)} | ${(r.seconds / n).toFixed(2)} |`);
console.error(`convergence: wrote ${join(resolve(args.out), 'results.json')} and ${resolve(args.figure)}`);

/** Two panels as one SVG: the measures against the budget (log axis), and the default run's curves. */
function figure(rows, curve) {
  const W = 900, H = 300, pad = { l: 50, r: 20, t: 40, b: 44 };
  const panel = (x0, w, title, xs, series, xLabel, xTicks, logX) => {
    const fx = logX ? (v) => Math.log(v) : (v) => v;
    const [lo, hi] = [Math.min(...xs.map(fx)), Math.max(...xs.map(fx))];
    const px = (v) => x0 + pad.l + ((w - pad.l - pad.r) * (fx(v) - lo)) / (hi - lo || 1);
    const py = (v) => pad.t + (H - pad.t - pad.b) * (1 - v);
    const lines = series.map((s, k) => `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${xs.map((v, i) => `${px(v).toFixed(1)},${py(s.ys[i]).toFixed(1)}`).join(' ')}"/>` +
      (xs.length <= 12 ? xs.map((v, i) => `<circle cx="${px(v).toFixed(1)}" cy="${py(s.ys[i]).toFixed(1)}" r="3" fill="${s.color}"/>`).join('') : '') +
      `<text x="${x0 + w - pad.r}" y="${pad.t + 0.45 * (H - pad.t - pad.b) + 14 * k}" text-anchor="end" fill="${s.color}">${s.name}</text>`).join('\n');
    const ticks = xTicks.map((v) => `<text x="${px(v).toFixed(1)}" y="${H - pad.b + 16}" text-anchor="middle">${v}</text>`).join('');
    return `<text x="${x0 + pad.l}" y="20" font-weight="600">${title}</text>
<line x1="${x0 + pad.l}" y1="${H - pad.b}" x2="${x0 + w - pad.r}" y2="${H - pad.b}" stroke="#999"/><line x1="${x0 + pad.l}" y1="${pad.t}" x2="${x0 + pad.l}" y2="${H - pad.b}" stroke="#999"/>
${[0, 0.5, 1].map((v) => `<text x="${x0 + pad.l - 6}" y="${py(v) + 4}" text-anchor="end">${v}</text><line x1="${x0 + pad.l}" y1="${py(v)}" x2="${x0 + w - pad.r}" y2="${py(v)}" stroke="#eee"/>`).join('')}
${ticks}<text x="${x0 + (w + pad.l) / 2}" y="${H - 8}" text-anchor="middle">${xLabel}</text>
${lines}`;
  };
  const xs = rows.map((r) => r.iterations);
  const left = panel(0, W / 2, `Reported masks against the iteration budget (${n} validation shapes)`, xs, [
    { name: 'energy in box', color: '#2471a3', ys: rows.map((r) => r.energy) },
    { name: 'readable region', color: '#27ae60', ys: rows.map((r) => r.readable) },
    { name: 'p kept / p', color: '#8e44ad', ys: rows.map((r) => Math.min(1, r.kept)) },
    { name: `mean |ΔM| to ${xs[xs.length - 1]} iterations`, color: '#c0392b', ys: rows.map((r) => r.maskChange) },
  ], 'iterations (log scale)', xs, true);
  const its = curve.map((c) => c.iteration);
  const maxArea = Math.max(...curve.map((c) => c.areaLoss)) || 1;
  const right = panel(W / 2, W / 2, `The ${DEFAULTS.extremal.iterations}-iteration run, step by step`, its, [
    { name: 'p(class), mean over masks', color: '#8e44ad', ys: curve.map((c) => c.probability) },
    { name: `area penalty ÷ ${maxArea.toPrecision(2)}`, color: '#c0392b', ys: curve.map((c) => c.areaLoss / maxArea) },
  ], 'iteration', [0, Math.round(its.length / 2), its.length - 1], false);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="11" fill="#333">
<rect width="${W}" height="${H}" fill="white"/>
${left}
${right}
</svg>
`;
}
