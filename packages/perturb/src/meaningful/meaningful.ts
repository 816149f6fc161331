/**
 * The meaningful perturbation (Fong & Vedaldi, "Interpretable Explanations of Black Boxes by
 * Meaningful Perturbation", ICCV 2017): one mask per image, learned by Adam on the mask only
 * (the model frozen, so no weight gradients are computed), the mask clamped to [0, 1] after every
 * step (in the same kernel). The objective and its terms are in ../objective.ts; the loop, one
 * tidy() scope and one readback per iteration, in ../iterate.ts.
 */
import { Adam, backendReport, full, hashUniform, noGrad, randn, resizeBilinear, tensor, tidy, type Tensor } from '@maskgrad/autograd';
import { gaussianBlur } from '../blur.js';
import { checkFinite, PERTURBED_OVERFLOW, type Term } from '../finite.js';
import { iterate } from '../iterate.js';
import { composite, objective, targetProbability, type Classifier, type ObjectiveValue } from '../objective.js';
import type { ProgressEvent, ResolvedMeaningfulOptions } from '../options.js';
import type { ExplainResult } from '../result.js';

/** The perturbation P for images [N, 3, H, W] (a constant of the objective: no graph through x). */
export function baselineOf(x: Tensor, o: ResolvedMeaningfulOptions): Tensor {
  // tidy: the blur's taps and intermediates are disposed here, not left for the collector
  return tidy(() => noGrad(() => {
    if (o.perturbation === 'blur') return gaussianBlur(x, o.blurSigma);
    if (o.perturbation === 'constant') {
      const color = o.constantColor
        ? tensor(Float32Array.from(o.constantColor), [1, 3, 1, 1], { backend: x.backend })
        : x.mean([2, 3], true);
      return color.expand(x.shape).contiguous();
    }
    // noise: x + η, η ~ N(0, σ²) drawn once per run from a stream away from the mask-noise seeds
    const seed = (o.seed * 2 + 16_000_001) % (2 ** 24 - 2);
    return x.add(randn(x.shape, { seed, std: o.noiseStd, backend: x.backend })).clamp(0, 1);
  }));
}

/** Seeds for iteration i: distinct, below 2^24, two consecutive values each. */
function iterationSeed(seed: number, i: number): number {
  return (seed * 7919 * 2 + i * 2) % (2 ** 24 - 2);
}

function jitterAt(o: ResolvedMeaningfulOptions, i: number): { dy: number; dx: number; max: number } {
  if (o.jitter === 0) return { dy: 0, dx: 0, max: 0 };
  const pick = (k: number) => Math.min(o.jitter, Math.floor(hashUniform(i * 2 + k, (o.seed + 12345) % 2 ** 24) * (2 * o.jitter + 1)) - o.jitter);
  return { dy: pick(0), dx: pick(1), max: o.jitter };
}

/** The readback's columns per image: loss, target probability, the two regularizers, the stepped mask's sum (then its cells, for progress). */
const COLUMNS = 5;

/** Those columns, checked in this order (the cause before its effects). */
const TERMS: readonly Term[] = [
  { column: 1, what: 'the target probability f_c(Φ(x; M))', hint: PERTURBED_OVERFLOW },
  { column: 2, what: 'the area term l1 · mean|m|', hint: 'Use a smaller l1 (--l1); the run was stopped.' },
  { column: 3, what: 'the smoothness term tv · TV_β(m)', hint: 'Use a smaller tv (--tv) or tv-beta (--tv-beta); the run was stopped.' },
  { column: 0, what: 'the loss', hint: 'The sum of the terms overflows float32: use smaller l1 and tv; the run was stopped.' },
  { column: 4, what: 'the mask after the Adam step', hint: 'The gradient of the objective was not finite at this step; a smaller learning rate (--lr) may help. The run was stopped.' },
];

/** [N, COLUMNS] (with `withCells`, the mask's cells after them) for one iteration's readback. */
function readback(value: ObjectiveValue, mask: Tensor, withCells: boolean): Tensor {
  const n = mask.shape[0];
  const cells = mask.reshape([n, -1]);
  const columns = [value.loss, value.probability, value.area, value.smoothness, cells.sum(-1)].map((t) => t.reshape([n, 1]));
  return columns[0].concat([...columns.slice(1), ...(withCells ? [cells] : [])], 1);
}

/** Explain images x [N, 3, H, W] (pixels in [0, 1]) for their targets with the meaningful perturbation. */
export async function explainMeaningfulBatch(
  model: Classifier, x: Tensor, targets: readonly number[], before: readonly number[], o: ResolvedMeaningfulOptions,
  onProgress?: (p: ProgressEvent) => void,
): Promise<ExplainResult[]> {
  const [n, , h, w] = x.shape;
  const baseline = baselineOf(x, o);
  const m = full([n, 1, o.maskSize, o.maskSize], o.maskInit, { requiresGrad: true, backend: x.backend });
  m.name = 'mask';
  // projected Adam: the step and the clamp to [0, 1] are one kernel
  const opt = new Adam([m], { lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, clamp: [0, 1] });
  const history: ExplainResult['history'][] = Array.from({ length: n }, () => []);
  try {
    await iterate({
      iterations: o.iterations, optimizer: opt, terms: TERMS,
      step: (i) => {
        const value = objective(m, {
          model, x, baseline, targets, game: o.game, l1: o.l1, tv: o.tv, tvBeta: o.tvBeta,
          maskNoise: o.maskNoise, noiseSeed: iterationSeed(o.seed, i), jitter: jitterAt(o, i),
        });
        return { loss: value.total, readback: () => readback(value, m, onProgress !== undefined) };
      },
      record: (values, width, i) => {
        const row = (k: number, column: number) => values[k * width + column];
        for (let k = 0; k < n; k++) history[k].push({ iteration: i, loss: row(k, 0), probability: row(k, 1) });
        onProgress?.({
          iteration: i, iterations: o.iterations,
          loss: Array.from({ length: n }, (_, k) => row(k, 0)),
          probability: Array.from({ length: n }, (_, k) => row(k, 1)),
          mask: Array.from({ length: n }, (_, k) => values.slice(k * width + COLUMNS, (k + 1) * width)),
        });
      },
    });
  } catch (e) {
    opt.dispose();
    m.dispose();
    baseline.dispose();
    throw e;
  }
  // the final mask, without noise or jitter
  const final = tidy(() => noGrad(() => {
    const up = resizeBilinear(m, h, w);
    const phi = composite(x, baseline, up);
    const both = model.forward(model.normalize(phi.concat([baseline], 0)));
    return { up, phi, p: targetProbability(both, [...targets, ...targets]) };
  }));
  const [mv, uv, pv, phiv, bv] = await Promise.all([m.data(), final.up.data(), final.p.data(), final.phi.data(), baseline.data()]);
  opt.dispose();
  for (const t of [m, baseline, final.up, final.phi, final.p]) t.dispose();
  checkFinite(pv.subarray(0, n), 1, { what: 'the target probability f_c(Φ(x; M)) with the final mask' });
  checkFinite(pv.subarray(n), 1, { what: 'the target probability of the fully perturbed image' });
  const side = o.maskSize;
  const backend = backendReport(x.backend);
  return targets.map((t, k) => ({
    method: 'meaningful' as const,
    mask: { width: side, height: side, values: mv.slice(k * side * side, (k + 1) * side * side) },
    upsampledMask: { width: w, height: h, values: uv.slice(k * h * w, (k + 1) * h * w) },
    target: t,
    label: model.labels[t],
    probabilityBefore: before[k],
    probabilityAfter: pv[k],
    probabilityPerturbed: pv[n + k],
    history: history[k],
    options: o,
    backend,
    perturbed: phiv.slice(k * 3 * h * w, (k + 1) * 3 * h * w),
    baseline: bv.slice(k * 3 * h * w, (k + 1) * 3 * h * w),
  }));
}
