/**
 * The evaluation written up: results.md (the table, what was run, how each
 * number is computed, the command that regenerates it). Shared by
 * `maskgrad eval` and scripts/eval.mjs, so both say the same thing.
 */
import { describeOptions } from '../describe.js';
import type { EvalResult, MethodName } from './evaluate.js';
import { SWEEP_TOLERANCE } from '../extremal/monotone.js';
import { READER_COVERAGE, READER_PRECISION } from './metrics.js';

export const METHOD_LABELS: Record<MethodName, string> = {
  extremal: 'extremal perturbation', meaningful: 'meaningful perturbation', gradient: 'gradient', occlusion: 'occlusion', rollout: 'attention rollout', rise: 'RISE',
};

/**
 * Two tables, one row per method. What a reader sees: energy pointing, the
 * share of images whose marked region (≥ 0.5) is readable, its mean coverage
 * of the box and precision, the share of images whose fully perturbed image
 * loses the class. The classic scores: pointing, centroid pointing, deletion
 * AUC ↓, insertion AUC ↑, mean area; then the share of the map's mass near
 * the border, the images whose area sweep still falls (extremal), seconds
 * per image.
 */
export function toMarkdownTable(result: EvalResult): string {
  const f = (v: number) => v.toFixed(3);
  const rows = Object.entries(result.methods).map(([m, s]) =>
    `| ${METHOD_LABELS[m as MethodName]} | ${f(s.energy)} | ${f(s.readable)} | ${f(s.readerCoverage)} | ${f(s.readerPrecision)} | ${s.erases === null ? '—' : f(s.erases)} ` +
    `| ${f(s.pointing)} | ${f(s.pointingCentroid)} | ${f(s.deletionAuc)} | ${f(s.insertionAuc)} | ${f(s.meanArea)} | ${f(s.border)} | ${s.sweepFalls === null ? '—' : `${s.sweepFalls}/${result.images.length}`} | ${s.secondsPerImage.toFixed(2)} |`);
  return [
    '| method | energy in box | readable region | box coverage | region in box | perturbation erases | pointing | pointing (centroid) | deletion AUC ↓ | insertion AUC ↑ | mean area | border share | sweep falls | s / image |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

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
    ...(r.result.methods.extremal ? [`Extremal perturbation: ${describeOptions(s.extremalOptions)}.`] : []),
    ...(r.result.methods.meaningful ? [`Meaningful perturbation: ${describeOptions(o)}.`] : []),
    `Energy in box: the share of the map's mass (s − min s) inside the object's box. Readable region: the share of images where the region a reader sees (the mask ≥ 0.5; other maps scaled to [0, 1] first) covers ≥ ${READER_COVERAGE * 100}% of the box with ≥ ${READER_PRECISION * 100}% of itself inside it; box coverage and region in box are their means. Perturbation erases: the share of images whose fully perturbed image scores the class below half its original probability.`,
    `Deletion/insertion: ${s.steps} steps, pixels ranked by saliency (ties in raster order) replaced by / pasted into the image blurred with σ ${s.curveBlurSigma.toFixed(2)} px (Fong & Vedaldi's 10 px at 224, scaled, whatever the explanation's options); AUC by the trapezoid rule over the fraction of pixels.`,
    'Pointing: the peak (the centroid of all pixels within 1e-6 of the maximum of the upsampled map, so a clamped plateau counts as one region) inside the box; centroid: the centre of mass of s − min(s) inside the box.',
    `Border share: the share of the map's mass (s − min s) within σ = ${s.extremalOptions.method === 'extremal' ? s.extremalOptions.maskSigma.toFixed(2) : '—'} px (the extremal mask's smoothing) of the image border. Sweep falls: the images on which the extremal perturbation's kept probability still falls by more than ${SWEEP_TOLERANCE} from one area to the next larger one after the restart (result.json's \`sweep\` says why, per image).`,
    'Mean area: for the perturbation, the kept region mean(M) (preservation) or the deleted region mean(1 − M) (deletion); for the other maps the share of pixels above the mid-range (s − min)/(max − min) > 0.5.',
    ...r.result.images.flatMap((im) => (im.sweep ?? []).map((why) => `Sweep falls on image ${im.index} (${im.label}): ${why}.`)),
    ...(r.extra && r.extra.length > 0 ? ['', ...r.extra] : []),
    '',
  ].join('\n');
}
