/**
 * Every knob of an explanation, its default, the presets, and the checks
 * that reject bad values before any work. DEFAULTS is the one source of
 * truth: the CLI's help, the browser page and the READMEs are generated
 * from it or tested against it.
 *
 * Two methods: 'extremal' (the default; Fong, Patrick & Vedaldi 2019,
 * ./extremal/options.ts) and 'meaningful' (Fong & Vedaldi 2017: l1 and TV
 * on a bilinearly upsampled mask). `preset: 'classic'` is the meaningful
 * perturbation with the settings of the PyTorch reference run that the
 * parity tests check.
 */
import { EXTREMAL_DEFAULTS, resolveExtremal, type ExtremalGame, type ExtremalOptions, type ResolvedExtremalOptions, type Reward } from './extremal/options.js';
import { checkChoice, checkNumber, isWhole, LIMITS, OptionError, rejectForeign, showValue, type Method } from './option-checks.js';

export { LIMITS, OptionError, showValue, type Method };
export type { ExtremalGame, ExtremalOptions, ResolvedExtremalOptions, Reward };
export type Game = 'deletion' | 'preservation';
export type Perturbation = 'blur' | 'constant' | 'noise';
export type PresetName = 'classic';

export interface ExplainOptions extends ExtremalOptions {
  /** 'extremal' (default) or 'meaningful'. */
  method?: Method;
  /** A named bundle of options (applied under the ones given here). */
  preset?: PresetName;
  /** preservation (default): the region alone keeps the class; deletion: perturbing it destroys the class; dual (extremal only): both. */
  game?: Game | ExtremalGame;
  /** Class to explain: an index or a label (or one per image); default each image's top class. */
  target?: number | string | readonly (number | string)[];
  iterations?: number;
  /** meaningful: the blur's σ in pixels; extremal: the blur pyramid's strongest σ. Scaled with the image side by default. */
  blurSigma?: number;
  lr?: number;
  /** Initial mask value (meaningful: 1 for deletion, 0.5 for preservation; extremal: the parameters, 1). */
  maskInit?: number;
  /** meaningful only: what replaces the masked-out pixels. */
  perturbation?: Perturbation;
  /** meaningful only: side of the low-resolution mask; default max(32, image side / 8). */
  maskSize?: number;
  /** meaningful only: constant perturbation colour in [0, 1] (RGB); default the image's mean colour. */
  constantColor?: [number, number, number];
  /** meaningful only: standard deviation of the noise perturbation, in [0, 1] pixel units. */
  noiseStd?: number;
  l1?: number;
  tv?: number;
  tvBeta?: number;
  /** meaningful only: σ of N(0, σ²) noise added to the upsampled mask each iteration (the seed project's trick). */
  maskNoise?: number;
  /** meaningful only: random shift of the perturbed input each iteration, up to this many pixels. */
  jitter?: number;
  /** meaningful only: integer seed in [0, 2^24) of the mask noise and the jitter. */
  seed?: number;
  /** Called after every iteration. */
  onProgress?: (p: ProgressEvent) => void;
}

export interface ProgressEvent {
  iteration: number;
  iterations: number;
  /** Per mask: one per image (meaningful), one per image and area, image-major (extremal). */
  loss: number[];
  probability: number[];
  /** Per mask: its low-resolution values after this iteration (side² values in [0, 1], row-major). */
  mask: Float32Array[];
  /** extremal: the area of each mask. */
  areas?: number[];
}

export interface ResolvedMeaningfulOptions {
  method: 'meaningful';
  game: Game;
  perturbation: Perturbation;
  iterations: number;
  maskSize: number;
  blurSigma: number;
  constantColor: [number, number, number] | null;
  noiseStd: number;
  l1: number;
  tv: number;
  tvBeta: number;
  lr: number;
  maskNoise: number;
  jitter: number;
  maskInit: number;
  seed: number;
}

export type ResolvedOptions = ResolvedMeaningfulOptions | ResolvedExtremalOptions;

/**
 * The meaningful perturbation's defaults, tuned for the pointing game and
 * deletion AUC (src/eval/README.md, "Tuning the meaningful perturbation").
 */
export const MEANINGFUL_DEFAULTS = {
  game: 'preservation' as Game,
  perturbation: 'blur' as Perturbation,
  iterations: 40,
  /** On mean|m|; 0.1 ≈ the paper's λ1 = 1e-4 on the sum over a 28×28 mask. */
  l1: 0.1,
  tv: 0.05,
  tvBeta: 3,
  lr: 0.2,
  maskNoise: 0,
  noiseStd: 0.3,
  seed: 0,
  /** At 224 px; scaled with the image side (1.5 px at 64). */
  blurSigmaAt224: 5.25,
  /** At 224 px; scaled with the image side. 0 = off. */
  jitterAt224: 0,
  /** Mask side = max(maskSizeMin, round(side / maskSizeDivisor)), at most the image side: 32 at 64 and 224 px. */
  maskSizeDivisor: 8,
  maskSizeMin: 32,
};

/** The shipped defaults: the method, and each method's own. */
export const DEFAULTS = {
  method: 'extremal' as Method,
  extremal: EXTREMAL_DEFAULTS,
  meaningful: MEANINGFUL_DEFAULTS,
};

/** The classic preset: the PyTorch reference run (tests/fixtures/shapes-vit-hf/perturb_config.json), in sizes that scale with the side. */
export const PRESETS: Record<PresetName, { summary: string; options: (side: number) => ExplainOptions }> = {
  classic: {
    summary: 'the meaningful perturbation with the settings of the PyTorch reference run (tests/fixtures/shapes-vit-hf/perturb_config.json)',
    options: (side) => ({
      method: 'meaningful', game: 'deletion', iterations: 100, maskSize: Math.max(2, Math.round(side / 4)), blurSigma: (10.5 * side) / 224,
      l1: 0.01, tv: 0.2, tvBeta: 3, lr: 0.1, maskNoise: 0, jitter: 0, maskInit: 1, perturbation: 'blur',
    }),
  },
};

/** The options that belong to one method only (given for the other, they are an error). */
export const METHOD_ONLY_OPTIONS = {
  meaningful: ['perturbation', 'maskSize', 'constantColor', 'noiseStd', 'l1', 'tv', 'tvBeta', 'maskNoise', 'jitter', 'seed'],
  extremal: ['areas', 'levels', 'maskStep', 'maskSigma', 'areaWeight', 'areaWeightGrowth', 'reward', 'flip', 'keepShare', 'halvings'],
} as const satisfies Record<Method, readonly (keyof ExplainOptions)[]>;

/** The method options ask for: their own, their preset's, or the default. */
export function methodOf(o: ExplainOptions): Method {
  return o.method ?? (o.preset ? PRESETS[o.preset]?.options(224).method : undefined) ?? DEFAULTS.method;
}

/** The default mask side of the meaningful perturbation for an image of `side` px: max(32, side/8), at most the side, at least 2. */
export function defaultMaskSize(side: number): number {
  const d = MEANINGFUL_DEFAULTS;
  return Math.max(2, Math.min(side, Math.max(d.maskSizeMin, Math.round(side / d.maskSizeDivisor))));
}

/** What "after" means in each game, for people reading a result: the probability of Φ(x; M). */
export function afterPhrase(game: Game | ExtremalGame): string {
  return game === 'deletion' ? 'after perturbing the masked region' : 'with only the masked region kept (the rest perturbed)';
}

/** The options with their preset filled in under them. */
export function withPreset(o: ExplainOptions, side: number): ExplainOptions {
  if (o.preset === undefined) return o;
  const preset = PRESETS[checkChoice('preset', o.preset, Object.keys(PRESETS) as PresetName[])];
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return { ...preset.options(side), ...given };
}

/** Fill defaults for an image of side `side` px and validate everything (the method's own options only). */
export function resolveOptions(options: ExplainOptions, side: number): ResolvedOptions {
  const o = withPreset(options, side);
  const method = checkChoice('method', o.method ?? DEFAULTS.method, ['extremal', 'meaningful'] as const);
  if (method === 'extremal') {
    rejectForeign(o, METHOD_ONLY_OPTIONS.meaningful, 'extremal');
    return resolveExtremal(o, side);
  }
  rejectForeign(o, METHOD_ONLY_OPTIONS.extremal, 'meaningful');
  return resolveMeaningful(o, side);
}

/** The meaningful perturbation's options for an image of side `side` px, checked. */
export function resolveMeaningful(o: ExplainOptions, side: number): ResolvedMeaningfulOptions {
  const d = MEANINGFUL_DEFAULTS;
  if (o.game === 'dual') throw new OptionError('game', o.game, "'deletion' or 'preservation' (the dual game belongs to method 'extremal')");
  const game = checkChoice('game', o.game ?? d.game, ['deletion', 'preservation'] as const);
  const r: ResolvedMeaningfulOptions = {
    method: 'meaningful',
    game,
    perturbation: checkChoice('perturbation', o.perturbation ?? d.perturbation, ['blur', 'constant', 'noise'] as const),
    iterations: checkNumber('iterations', o.iterations ?? d.iterations, (x) => isWhole(x) && x >= 1 && x <= 100_000, 'a whole number from 1 to 100000'),
    maskSize: checkNumber('maskSize', o.maskSize ?? defaultMaskSize(side), (x) => isWhole(x) && x >= 2 && x <= side, `a whole number from 2 to the image side (${side})`),
    blurSigma: checkNumber('blurSigma', o.blurSigma ?? (d.blurSigmaAt224 * side) / 224, (x) => x > 0 && x <= side, `a positive number of pixels, at most the image side (${side})`),
    constantColor: null,
    noiseStd: checkNumber('noiseStd', o.noiseStd ?? d.noiseStd, (x) => x > 0 && x <= 10, 'a positive number, at most 10 (pixel values are in [0, 1])'),
    l1: checkNumber('l1', o.l1 ?? d.l1, (x) => x >= 0 && x <= LIMITS.weight, `a number from 0 to ${LIMITS.weight} (larger weights drown the class probability in float32)`),
    tv: checkNumber('tv', o.tv ?? d.tv, (x) => x >= 0 && x <= LIMITS.weight, `a number from 0 to ${LIMITS.weight} (larger weights drown the class probability in float32)`),
    tvBeta: checkNumber('tvBeta', o.tvBeta ?? d.tvBeta, (x) => x >= 1 && x <= LIMITS.tvBeta, `a number from 1 to ${LIMITS.tvBeta} (the paper uses 3)`),
    lr: checkNumber('lr', o.lr ?? d.lr, (x) => x > 0 && x <= 10, 'a positive number (at most 10)'),
    maskNoise: checkNumber('maskNoise', o.maskNoise ?? d.maskNoise, (x) => x >= 0 && x <= 10, 'a number from 0 to 10 (0 turns it off)'),
    jitter: checkNumber('jitter', o.jitter ?? Math.round((d.jitterAt224 * side) / 224), (x) => isWhole(x) && x >= 0 && x < side / 2, `a whole number of pixels from 0 to ${Math.ceil(side / 2) - 1}`),
    maskInit: checkNumber('maskInit', o.maskInit ?? (game === 'deletion' ? 1 : 0.5), (x) => x >= 0 && x <= 1, 'a number in [0, 1]'),
    seed: checkNumber('seed', o.seed ?? d.seed, (x) => isWhole(x) && x >= 0 && x < 2 ** 24, 'a whole number from 0 to 16777215'),
  };
  if (o.constantColor !== undefined) {
    const c = o.constantColor;
    if (!Array.isArray(c) || c.length !== 3 || c.some((v) => typeof v !== 'number' || !(v >= 0 && v <= 1))) {
      throw new OptionError('constantColor', c, 'three numbers in [0, 1] (R, G, B)');
    }
    r.constantColor = [c[0], c[1], c[2]];
  }
  // reflect padding needs the blur radius below the image side
  if (r.perturbation === 'blur' && Math.ceil(3 * r.blurSigma) >= side) {
    throw new OptionError('blurSigma', r.blurSigma, `at most ${((side - 1) / 3).toFixed(2)} for a ${side}-pixel image (the blur radius 3σ must fit inside it)`);
  }
  return r;
}
