/**
 * Resolved options in words, one place for every page, table and message
 * that says how an explanation was made (report.html, the eval report, the
 * demo, the CLI).
 */
import { PRESETS, resolveOptions, type PresetName, type ResolvedOptions } from './options.js';

const px = (v: number) => `${+v.toFixed(2)} px`;

/** "extremal perturbation (Fong, Patrick & Vedaldi, ICCV 2019)" or the meaningful one. */
export function methodTitle(o: Pick<ResolvedOptions, 'method'>): string {
  return o.method === 'extremal' ? 'extremal perturbation (Fong, Patrick & Vedaldi, ICCV 2019)' : 'meaningful perturbation (Fong & Vedaldi, ICCV 2017)';
}

/** Every setting that shapes the mask, as one sentence. */
export function describeOptions(o: ResolvedOptions): string {
  if (o.method === 'extremal') {
    const halved = o.halvings > 0 ? ` and, while an image's smallest area keeps that share, its half (up to ${o.halvings}×)` : '';
    return `${o.game} game, areas ${o.areas.join(', ')}${halved} (reported: the smallest area ${o.game === 'deletion' ? `whose deletion removes ${Math.round(100 * o.keepShare)}%` : `that keeps ${Math.round(100 * o.keepShare)}%`} of the probability), ` +
      `${o.iterations} iterations of Adam at lr ${o.lr}, a blur pyramid of ${o.levels} levels up to σ ${px(o.blurSigma)}, ` +
      `mask cells every ${px(o.maskStep)} smoothed with σ ${px(o.maskSigma)}, area weight ${o.areaWeight} growing ×${o.areaWeightGrowth} over the run, ` +
      `${o.reward} reward, ${o.flip ? 'left–right flip every other step' : 'no flip'}, parameters starting at ${o.maskInit}`;
  }
  const perturbation = o.perturbation === 'blur' ? `blur σ ${px(o.blurSigma)}` : o.perturbation === 'constant' ? 'constant colour' : `noise std ${o.noiseStd}`;
  return `${o.game} game, ${perturbation}, ${o.iterations} iterations of Adam at lr ${o.lr}, ${o.maskSize}×${o.maskSize} mask, ` +
    `l1 ${o.l1}, tv ${o.tv} (β ${o.tvBeta}), mask noise ${o.maskNoise}, jitter ${o.jitter} px, mask starting at ${o.maskInit}, seed ${o.seed}`;
}

/** The rule that picks the reported area, in words, with the share and the probabilities it compares. */
export function areaRule(r: { options: ResolvedOptions; probabilityBefore: number }): string {
  const o = r.options;
  if (o.method !== 'extremal') return '';
  const share = Math.round(100 * o.keepShare);
  const p0 = r.probabilityBefore.toFixed(3);
  return o.game === 'deletion'
    ? `the smallest area whose deletion brings p below ${100 - share}% of the original p = ${p0} (if none does, the one that brings it lowest)`
    : `the smallest area whose region alone keeps ${share}% of the original p = ${p0} (if none does, the one that keeps the most)`;
}

/** A preset in words: what it is, then its settings as they resolve at 64 px. */
export function presetSummary(name: PresetName): string {
  return `${PRESETS[name].summary}; at 64 px: ${describeOptions(resolveOptions({ preset: name }, 64))}`;
}

/**
 * The shipped defaults as a Markdown list, for the READMEs: written there by
 * `node scripts/readme-defaults.mjs` between `<!-- defaults -->` markers and
 * checked against DEFAULTS by tests/readme-defaults.test.ts.
 */
export function defaultsMarkdown(): string {
  const at = (side: number, method: 'extremal' | 'meaningful') => describeOptions(resolveOptions({ method }, side));
  const big = resolveOptions({ method: 'extremal' }, 224);
  const sizes = big.method === 'extremal' ? `the blur's σ is ${px(big.blurSigma)}, the cells ${px(big.maskStep)} apart, their smoothing σ ${px(big.maskSigma)}` : '';
  return [
    `- **extremal perturbation** (the default method), at 64 px: ${at(64, 'extremal')}; at 224 px ${sizes}.`,
    `- **meaningful perturbation** (\`method: 'meaningful'\`, \`--method meaningful\`), at 64 px: ${at(64, 'meaningful')}.`,
    `- **\`preset: 'classic'\`** (\`--preset classic\`): ${presetSummary('classic')}.`,
  ].join('\n');
}

/** What the extremal perturbation looks for in each game, as a phrase ("the smooth mask of that area …"). */
export function gamePhrase(game: 'preservation' | 'deletion' | 'dual'): string {
  if (game === 'preservation') return 'that, kept sharp while the rest of the image is blurred, keeps the class best';
  if (game === 'deletion') return 'whose blurring destroys the class most';
  return 'that best keeps the class when only it is kept sharp and destroys it when only it is blurred';
}
