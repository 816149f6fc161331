/**
 * The evaluation written up: results.md (the table, what was run, how each
 * number is computed, the command that regenerates it). Shared by
 * `maskgrad eval` and scripts/eval.mjs, so both say the same thing.
 */
import type { EvalResult } from './evaluate.js';
import { toMarkdownTable } from './evaluate.js';

export interface EvalReportInput {
  result: EvalResult;
  /** Shown in the title: the model folder's name. */
  name: string;
  /** Where the images came from, in words. */
  data: string;
  backend: string;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
  /** The command that regenerates it. */
  command: string;
  /** Extra lines at the end (e.g. a comparison with reference masks). */
  extra?: readonly string[];
}

export function evalMarkdown(r: EvalReportInput): string {
  const o = r.result.settings.explainOptions;
  const s = r.result.settings;
  return [
    `# Evaluation: ${r.name}`,
    '',
    `${s.images} images (${r.data}), ${s.imageSize} px, backend ${r.backend}, ${r.seconds.toFixed(1)} s in all (deletion/insertion curves ${r.result.seconds.curves.toFixed(1)} s).`,
    `Regenerate: \`${r.command}\``,
    '',
    toMarkdownTable(r.result),
    '',
    `Meaningful perturbation: ${o.game} game, ${o.perturbation} perturbation, ${o.iterations} iterations, ${o.maskSize}×${o.maskSize} mask, blur σ ${o.blurSigma.toFixed(2)} px, mask noise ${o.maskNoise}, jitter ${o.jitter} px, l1 ${o.l1}, tv ${o.tv} (β ${o.tvBeta}), lr ${o.lr}, seed ${o.seed}.`,
    `Deletion/insertion: ${s.steps} steps, pixels ranked by saliency (ties in raster order) replaced by / pasted into the image blurred with σ ${s.curveBlurSigma.toFixed(2)} px (Fong & Vedaldi's 10 px at 224, scaled, whatever the explanation's options); AUC by the trapezoid rule over the fraction of pixels.`,
    'Pointing: the peak (the centroid of all pixels within 1e-6 of the maximum of the upsampled map, so a clamped plateau counts as one region) inside the box; centroid: the centre of mass of s − min(s) inside the box.',
    'Mean area: for the perturbation, the kept region mean(M) (preservation) or the deleted region mean(1 − M) (deletion); for the other maps the share of pixels above the mid-range (s − min)/(max − min) > 0.5.',
    ...(r.extra && r.extra.length > 0 ? ['', ...r.extra] : []),
    '',
  ].join('\n');
}
