/**
 * explain(): check the images and options, read the clean probabilities once (to pick each
 * image's target), then hand the batch to the method the options name: the extremal
 * perturbation (the default; ./extremal/) or the meaningful perturbation (./meaningful/). Both
 * learn their masks with the same loop (./iterate.ts).
 */
import { noGrad, tidy, type Tensor } from '@maskgrad/autograd';
import { explainExtremalBatch } from './extremal/extremal.js';
import { checkFinite } from './finite.js';
import { explainMeaningfulBatch } from './meaningful/meaningful.js';
import type { Classifier } from './objective.js';
import { OptionError, resolveOptions, type ExplainOptions } from './options.js';
import type { ExplainResult, MaskImage } from './result.js';
import { resolveTarget } from './target.js';

export type { ExplainResult, MaskImage };

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
  return resolved.method === 'extremal'
    ? explainExtremalBatch(model, x, targets, before, resolved, options.onProgress)
    : explainMeaningfulBatch(model, x, targets, before, resolved, options.onProgress);
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
