/**
 * The extremal perturbation's options, their defaults, and the checks that
 * reject bad values before any work. Sizes in pixels are given at 224 px
 * (TorchRay's) and scale with the image side. The defaults were chosen on
 * validation data by what a reader sees (src/eval/README.md, "Choosing the
 * defaults").
 */
import { checkChoice, checkNumber, isWhole, LIMITS, OptionError } from '../option-checks.js';

export type ExtremalGame = 'preservation' | 'deletion' | 'dual';
export type Reward = 'simple' | 'contrastive';

export interface ExtremalOptions {
  /** Areas (fractions of the image) to optimize, one mask each, all in one batch. */
  areas?: readonly number[];
  /** Levels of the blur pyramid (the mask picks one, interpolating). */
  levels?: number;
  /** Pixels between the mask's grid cells; default 7 at 224 px, scaled. */
  maskStep?: number;
  /** σ of the mask's smoothing, in pixels; default 21 at 224 px, scaled. */
  maskSigma?: number;
  /** λ at the first iteration of the area penalty λ·‖sort(m) − r_a‖²/n. */
  areaWeight?: number;
  /** λ grows geometrically by this factor over the run (TorchRay: ×1.0035 per step for 800 steps = ×16.4). */
  areaWeightGrowth?: number;
  /** 'simple': the target's logit; 'contrastive': the logit minus the largest other logit. */
  reward?: Reward;
  /** Mirror the perturbed image left–right every other iteration (TorchRay's jitter). */
  flip?: boolean;
  /** The reported area: the smallest whose region alone keeps this share of the original probability. */
  keepShare?: number;
  /** How many times the sweep may add half its smallest area for an image whose smallest area already keeps the share (small objects). */
  halvings?: number;
}

export interface ResolvedExtremalOptions {
  method: 'extremal';
  game: ExtremalGame;
  areas: number[];
  iterations: number;
  lr: number;
  /** The strongest blur of the pyramid, in pixels. */
  blurSigma: number;
  levels: number;
  maskStep: number;
  maskSigma: number;
  maskInit: number;
  areaWeight: number;
  areaWeightGrowth: number;
  reward: Reward;
  flip: boolean;
  keepShare: number;
  halvings: number;
}

export const EXTREMAL_DEFAULTS = {
  /** Keep the region and delete it at once: masks sit on the object rather than on the few pixels that alone keep the class. */
  game: 'dual' as ExtremalGame,
  /** From a tenth to a third of the image: smaller areas keep the class with a fragment of the object and cover too little of it. */
  areas: [0.1, 0.2, 0.3] as readonly number[],
  iterations: 50,
  lr: 0.1,
  /**
   * The pyramid's strongest blur at 224 px (20 px at 64, a third of the side; TorchRay: 20 at 224). A
   * blur that leaves a silhouette leaves the class too: at TorchRay's σ the fully blurred image keeps
   * the class on a third of the validation shapes, and the mask has little to find.
   */
  blurSigmaAt224: 70,
  levels: 8,
  maskStepAt224: 7,
  maskSigmaAt224: 21,
  maskInit: 1,
  areaWeight: 300,
  areaWeightGrowth: 16.4,
  reward: 'simple' as Reward,
  flip: false,
  keepShare: 0.9,
  /** Adapt the areas to small objects: see extremal/adapt.ts. */
  halvings: 0,
};

export interface ExtremalInput extends ExtremalOptions {
  game?: string;
  iterations?: number;
  lr?: number;
  blurSigma?: number;
  maskInit?: number;
}

/** The mask's smoothing σ over the cells' spacing, at most (the mask generator's window grows with it, squared). */
export const MAX_SIGMA_PER_STEP = 6;

/** Halvings of the smallest area at most (each is one more run for the images it concerns). */
export const MAX_HALVINGS = 4;

/** Areas per image: each is one more image of the batch, every step. */
export const MAX_AREAS = 8;

/** The largest blur σ whose 3σ radius fits inside an image of `side` px (the default's cap on small images), to 0.01 px. */
export function maxBlurSigma(side: number): number {
  return Math.floor((100 * (side - 1)) / 3) / 100;
}

/** Fill the extremal defaults for an image of `side` px and check everything. */
export function resolveExtremal(o: ExtremalInput, side: number): ResolvedExtremalOptions {
  const d = EXTREMAL_DEFAULTS;
  const scaled = (at224: number) => (at224 * side) / 224;
  const areas = o.areas ?? d.areas;
  if (!Array.isArray(areas) || areas.length === 0 || areas.some((a) => typeof a !== 'number' || !(a > 0 && a < 1))) {
    throw new OptionError('areas', areas, 'one or more fractions of the image, each above 0 and below 1 (e.g. [0.05, 0.1, 0.2])');
  }
  if (areas.length > MAX_AREAS) throw new OptionError('areas', areas, `at most ${MAX_AREAS} areas (each one is a row of the batch the model runs on every step)`);
  if (new Set(areas).size !== areas.length) throw new OptionError('areas', areas, 'distinct areas (each one is optimized once)');
  const r: ResolvedExtremalOptions = {
    method: 'extremal',
    game: checkChoice('game', o.game ?? d.game, ['preservation', 'deletion', 'dual'] as const),
    areas: [...areas].sort((a, b) => a - b),
    iterations: checkNumber('iterations', o.iterations ?? d.iterations, (x) => isWhole(x) && x >= 1 && x <= 100_000, 'a whole number from 1 to 100000'),
    lr: checkNumber('lr', o.lr ?? d.lr, (x) => x > 0 && x <= 10, 'a positive number (at most 10)'),
    blurSigma: checkNumber('blurSigma', o.blurSigma ?? Math.min(scaled(d.blurSigmaAt224), maxBlurSigma(side)), (x) => x > 0 && Math.ceil(3 * x) < side,
      `a positive number of pixels below ${((side - 1) / 3).toFixed(2)} for a ${side}-pixel image (the blur radius 3σ must fit inside it)`),
    levels: checkNumber('levels', o.levels ?? d.levels, (x) => isWhole(x) && x >= 2 && x <= 64, 'a whole number from 2 to 64'),
    maskStep: checkNumber('maskStep', o.maskStep ?? Math.max(1, Math.round(scaled(d.maskStepAt224))), (x) => isWhole(x) && x >= 1 && x <= side / 2,
      `a whole number of pixels from 1 to ${Math.floor(side / 2)}`),
    maskSigma: checkNumber('maskSigma', o.maskSigma ?? scaled(d.maskSigmaAt224), (x) => x > 0 && x <= side, `a positive number of pixels, at most the image side (${side})`),
    maskInit: checkNumber('maskInit', o.maskInit ?? d.maskInit, (x) => x >= 0 && x <= 1, 'a number in [0, 1]'),
    areaWeight: checkNumber('areaWeight', o.areaWeight ?? d.areaWeight, (x) => x >= 0 && x <= LIMITS.weight, `a number from 0 to ${LIMITS.weight} (larger weights drown the class probability in float32)`),
    areaWeightGrowth: checkNumber('areaWeightGrowth', o.areaWeightGrowth ?? d.areaWeightGrowth, (x) => x >= 1 && x <= 1e6, 'a number from 1 (constant) to 1e6'),
    reward: checkChoice('reward', o.reward ?? d.reward, ['simple', 'contrastive'] as const),
    flip: o.flip ?? d.flip,
    keepShare: checkNumber('keepShare', o.keepShare ?? d.keepShare, (x) => x > 0 && x <= 1, 'a number in (0, 1]'),
    halvings: checkNumber('halvings', o.halvings ?? d.halvings, (x) => isWhole(x) && x >= 0 && x <= MAX_HALVINGS, `a whole number from 0 to ${MAX_HALVINGS}`),
  };
  if (typeof r.flip !== 'boolean') throw new OptionError('flip', r.flip, 'true or false');
  // each mask pixel reads (2·(1 + ⌈σ/step⌉) + 1)² cells, and a weight per cell and pixel is held
  if (r.maskSigma > MAX_SIGMA_PER_STEP * r.maskStep) {
    throw new OptionError('maskSigma', r.maskSigma, `at most ${MAX_SIGMA_PER_STEP}× maskStep (${MAX_SIGMA_PER_STEP * r.maskStep} px for cells ${r.maskStep} px apart; TorchRay's ratio is 3): a wider smoothing needs a larger maskStep`);
  }
  return r;
}
