/**
 * explain(): learn the mask by gradient descent, by the method the options
 * name: the extremal perturbation (default; ./extremal/) or the meaningful
 * perturbation (below: Adam on the mask only, the model frozen so no weight
 * gradients are computed, the mask
 * clamped to [0, 1] after every step (in the same kernel). Each iteration runs in a tidy()
 * scope and reads back one small tensor: per image the loss, the
 * probability, the regularizers and the mask's sum (and the mask, for an
 * onProgress listener), checked to be finite (./finite.ts).
 */
import { Adam, backendReport, backwardSync, full, hashUniform, noGrad, randn, resizeBilinear, tensor, tidy, type BackendReport, type Tensor } from '@maskgrad/autograd';
import { gaussianBlur } from './blur.js';
import { explainExtremalBatch } from './extremal/result.js';
import { checkFinite, iterationStats, STAT_COLUMNS } from './finite.js';
import { composite, objective, targetProbability, type Classifier } from './objective.js';
import { OptionError, resolveOptions, type ExplainOptions, type ResolvedMeaningfulOptions } from './options.js';
import type { ExplainResult, MaskImage } from './result.js';

export type { ExplainResult, MaskImage };

function resolveTarget(t: number | string, labels: readonly string[]): number {
  if (typeof t === 'number') {
    if (!Number.isInteger(t) || t < 0 || t >= labels.length) throw new OptionError('target', t, `a class index from 0 to ${labels.length - 1}`);
    return t;
  }
  const i = labels.indexOf(t);
  if (i < 0) {
    const asNum = Number(t);
    if (t.trim() !== '' && Number.isInteger(asNum)) return resolveTarget(asNum, labels);
    const some = labels.slice(0, 8).map((l) => `'${l}'`).join(', ');
    throw new OptionError('target', t, `a class index or one of the model's labels (${some}${labels.length > 8 ? ', …' : ''})`);
  }
  return i;
}

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

/**
 * Host backends run kernels synchronously; give the event loop a turn now
 * and then so timers, I/O and progress output are not starved during a
 * long run.
 */
let lastYield = 0;
async function yieldNowAndThen(): Promise<void> {
  const now = Date.now();
  if (now - lastYield < 50) return;
  lastYield = now;
  await new Promise((resolve) => setTimeout(resolve, 0));
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

/**
 * The explainer blurs and mixes pixels in [0, 1] and normalizes them itself;
 * an already normalized input (model.preprocess()) has values below 0 and
 * would be explained wrongly, so it is refused with what to pass instead.
 * `lo` and `hi` are the input's extremes.
 */
function checkPixelRange(lo: number, hi: number): void {
  if (!(lo >= -1e-6 && hi <= 1 + 1e-6)) {
    throw new OptionError('image', `pixel values in [${lo.toFixed(3)}, ${hi.toFixed(3)}]`,
      "pixels in [0, 1], not normalized: pass model.resize(model.pixels(image)), not model.preprocess(image) (the explainer normalizes after perturbing)");
  }
}

/**
 * Explain a batch of images [N, 3, H, W] (pixels in [0, 1], at the model's
 * input size): one mask per image, optimized together.
 */
export async function explainBatch(model: Classifier, x: Tensor, options: ExplainOptions = {}): Promise<ExplainResult[]> {
  if (x.rank !== 4 || x.shape[1] !== 3) throw new OptionError('image', `[${x.shape.join(', ')}]`, 'a tensor [N, 3, H, W] of pixels in [0, 1]');
  const [n, , h, w] = x.shape;
  if (h !== w) throw new OptionError('image', `${w}×${h}`, 'a square image at the model input size (resize it first)');
  const resolved = resolveOptions(options, h);
  const c = model.labels.length;
  // one readback before the loop: the clean probabilities (to pick targets) and the pixel range
  const start = tidy(() => noGrad(() => model.forward(model.normalize(x)).softmax(-1).reshape([n * c])
    .concat([x.max().reshape([1]), x.neg().max().reshape([1])])));
  const startValues = await start.data();
  start.dispose();
  checkPixelRange(-startValues[n * c + 1], startValues[n * c]);
  const probsBefore = startValues.subarray(0, n * c);
  checkFinite(probsBefore, c, { what: 'a class probability of the unperturbed image' });
  const targets = Array.from({ length: n }, (_, i) => {
    const t = Array.isArray(options.target) ? options.target[i] : options.target;
    if (t !== undefined) return resolveTarget(t, model.labels);
    const row = probsBefore.subarray(i * c, (i + 1) * c);
    return row.indexOf(Math.max(...row));
  });
  const before = targets.map((t, k) => probsBefore[k * c + t]);
  if (resolved.method === 'extremal') return explainExtremalBatch(model, x, targets, before, resolved, options.onProgress);
  const o = resolved;
  const baseline = baselineOf(x, o);
  const m = full([n, 1, o.maskSize, o.maskSize], o.maskInit, { requiresGrad: true, backend: x.backend });
  m.name = 'mask';
  // projected Adam: the step and the clamp to [0, 1] are one kernel
  const opt = new Adam([m], { lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, clamp: [0, 1] });
  const history: ExplainResult['history'][] = Array.from({ length: n }, () => []);
  const cells = o.maskSize * o.maskSize;
  for (let i = 0; i < o.iterations; i++) {
    const stats = tidy(() => {
      const value = objective(m, {
        model, x, baseline, targets, game: o.game, l1: o.l1, tv: o.tv, tvBeta: o.tvBeta,
        maskNoise: o.maskNoise, noiseSeed: iterationSeed(o.seed, i), jitter: jitterAt(o, i),
      });
      opt.zeroGrad();
      backwardSync(value.total);
      opt.step();
      // the iteration's one readback: per image its terms, the stepped mask's sum (and cells, for progress)
      return noGrad(() => iterationStats(value, m, options.onProgress !== undefined));
    });
    const values = await stats.data();
    stats.dispose();
    const width = STAT_COLUMNS.length + (options.onProgress ? cells : 0);
    checkFinite(values, width, { iteration: i, iterations: o.iterations });
    const row = (k: number, column: number) => values[k * width + column];
    for (let k = 0; k < n; k++) history[k].push({ iteration: i, loss: row(k, 0), probability: row(k, 1) });
    if (options.onProgress) {
      options.onProgress({
        iteration: i, iterations: o.iterations,
        loss: Array.from({ length: n }, (_, k) => row(k, 0)),
        probability: Array.from({ length: n }, (_, k) => row(k, 1)),
        mask: Array.from({ length: n }, (_, k) => values.slice(k * width + STAT_COLUMNS.length, (k + 1) * width)),
      });
    }
    await yieldNowAndThen();
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

/**
 * A note for the reader when the fully perturbed image keeps at least half
 * of the original image's class probability: then there is little evidence
 * for the mask to find (a preservation mask has little to keep; a deletion
 * mask that drops the class does it through the edges it cuts). Both
 * probabilities are stated, so a class the model was never confident in is
 * seen as such. null when the perturbation removes the evidence.
 */
export function weakPerturbationNote(r: Pick<ExplainResult, 'probabilityBefore' | 'probabilityPerturbed' | 'label' | 'options'>): string | null {
  const [before, after] = [r.probabilityBefore, r.probabilityPerturbed];
  if (!(after >= 0.5 * before)) return null;
  const o = r.options;
  const sigma = `σ ${+o.blurSigma.toFixed(2)} px`;
  const what = o.method === 'extremal' ? `blurred with ${sigma} (the blur pyramid's strongest level)`
    : o.perturbation === 'blur' ? `blurred with ${sigma}` : o.perturbation === 'constant' ? 'greyed out' : 'noised';
  const share = after >= before ? 'at least as much as' : 'more than half of';
  const unsure = before < 0.5 ? `; the model is not confident in '${r.label}' on the original image either` : '';
  const consequence = o.game === 'deletion'
    ? "a drop in the probability comes from where the mask's edges cut the image rather than from removing the object"
    : o.method === 'extremal' ? 'the region found adds evidence to what the blurred image already shows' : 'the mask has little to keep and its values stay small (their ranking still counts)';
  const stronger = o.method === 'extremal' ? 'a larger --blur-sigma' : `${o.perturbation === 'blur' ? 'a larger --blur-sigma or ' : ''}--perturbation constant`;
  return `the whole image ${what} still scores '${r.label}' at p=${after.toFixed(3)}, ${share} the original image's p=${before.toFixed(3)}${unsure}, ` +
    `so the perturbation removes little evidence: ${consequence}; ${stronger} removes more.`;
}

/** Explain one image [1, 3, H, W] (or [3, H, W]). */
export async function explain(model: Classifier, image: Tensor, options: ExplainOptions = {}): Promise<ExplainResult> {
  const x = image.rank === 3 ? image.reshape([1, ...image.shape]) : image;
  if (x.shape[0] !== 1) throw new OptionError('image', `[${image.shape.join(', ')}]`, 'one image; use explainBatch for several');
  return (await explainBatch(model, x, options))[0];
}
