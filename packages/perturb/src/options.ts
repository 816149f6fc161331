/**
 * Every knob of the explanation, its default (Fong & Vedaldi 2017 and the
 * seed project), and the checks that reject bad values before any work.
 */
export type Game = 'deletion' | 'preservation';
export type Perturbation = 'blur' | 'constant' | 'noise';

export interface ExplainOptions {
  /** deletion: smallest region whose perturbation destroys the class; preservation: smallest region that alone keeps it. */
  game?: Game;
  /** What replaces the masked-out pixels. */
  perturbation?: Perturbation;
  /** Class to explain: an index or a label (or one per image); default each image's top class. */
  target?: number | string | readonly (number | string)[];
  iterations?: number;
  /** Side of the low-resolution mask; default image side / 8 (28 at 224). */
  maskSize?: number;
  /** Gaussian blur σ in pixels; default 10 at 224 px, scaled with the image side. */
  blurSigma?: number;
  /** Constant perturbation colour in [0, 1] (RGB); default the image's mean colour. */
  constantColor?: [number, number, number];
  /** Standard deviation of the noise perturbation, in [0, 1] pixel units. */
  noiseStd?: number;
  l1?: number;
  tv?: number;
  tvBeta?: number;
  lr?: number;
  /** σ of N(0, σ²) noise added to the upsampled mask each iteration (the seed project's trick). */
  maskNoise?: number;
  /** Random shift of the perturbed input each iteration, up to this many pixels; default 4 at 224 px, scaled. */
  jitter?: number;
  /** Initial mask value; default 1 for deletion, 0.5 for preservation. */
  maskInit?: number;
  /** Integer seed in [0, 2^24): same seed, same result on the same backend. */
  seed?: number;
  /** Called after every iteration. */
  onProgress?: (p: ProgressEvent) => void;
}

export interface ProgressEvent {
  iteration: number;
  iterations: number;
  /** Per image. */
  loss: number[];
  probability: number[];
  /** Per image: the low-resolution mask after this iteration's step and clamp (maskSize² values in [0, 1], row-major). */
  mask: Float32Array[];
}

export interface ResolvedOptions {
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

export const DEFAULTS = {
  game: 'deletion' as Game,
  perturbation: 'blur' as Perturbation,
  iterations: 300,
  l1: 0.01,
  tv: 0.2,
  tvBeta: 3,
  lr: 0.1,
  maskNoise: 0.2,
  noiseStd: 0.3,
  seed: 0,
  /** At 224 px; scaled with the image side. */
  blurSigmaAt224: 10,
  jitterAt224: 4,
};

/** A bad option: the message names the option, the value and what is allowed. */
export class OptionError extends Error {
  override readonly name = 'OptionError';
  constructor(readonly option: string, readonly value: unknown, allowed: string) {
    super(`invalid option ${option}: ${JSON.stringify(value)}; ${allowed}`);
  }
}

function num(name: string, v: unknown, check: (x: number) => boolean, allowed: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new OptionError(name, v, allowed);
  return v;
}

/** Fill defaults for an image of side `side` px and validate everything. */
export function resolveOptions(o: ExplainOptions, side: number): ResolvedOptions {
  const game = o.game ?? DEFAULTS.game;
  if (game !== 'deletion' && game !== 'preservation') throw new OptionError('game', game, "use 'deletion' or 'preservation'");
  const perturbation = o.perturbation ?? DEFAULTS.perturbation;
  if (!['blur', 'constant', 'noise'].includes(perturbation)) throw new OptionError('perturbation', perturbation, "use 'blur', 'constant' or 'noise'");
  const int = (x: number) => Number.isInteger(x);
  const r: ResolvedOptions = {
    game,
    perturbation,
    iterations: num('iterations', o.iterations ?? DEFAULTS.iterations, (x) => int(x) && x >= 1 && x <= 100_000, 'a whole number from 1 to 100000'),
    maskSize: num('maskSize', o.maskSize ?? Math.max(2, Math.round(side / 8)), (x) => int(x) && x >= 2 && x <= side, `a whole number from 2 to the image side (${side})`),
    blurSigma: num('blurSigma', o.blurSigma ?? (DEFAULTS.blurSigmaAt224 * side) / 224, (x) => x > 0 && x <= side, `a positive number of pixels, at most the image side (${side})`),
    constantColor: null,
    noiseStd: num('noiseStd', o.noiseStd ?? DEFAULTS.noiseStd, (x) => x > 0 && x <= 10, 'a positive number (pixel values are in [0, 1])'),
    l1: num('l1', o.l1 ?? DEFAULTS.l1, (x) => x >= 0, 'a number >= 0'),
    tv: num('tv', o.tv ?? DEFAULTS.tv, (x) => x >= 0, 'a number >= 0'),
    tvBeta: num('tvBeta', o.tvBeta ?? DEFAULTS.tvBeta, (x) => x >= 1, 'a number >= 1'),
    lr: num('lr', o.lr ?? DEFAULTS.lr, (x) => x > 0 && x <= 10, 'a positive number (at most 10)'),
    maskNoise: num('maskNoise', o.maskNoise ?? DEFAULTS.maskNoise, (x) => x >= 0 && x <= 10, 'a number >= 0 (0 turns it off)'),
    jitter: num('jitter', o.jitter ?? Math.round((DEFAULTS.jitterAt224 * side) / 224), (x) => int(x) && x >= 0 && x < side / 2, `a whole number of pixels from 0 to ${Math.ceil(side / 2) - 1}`),
    maskInit: num('maskInit', o.maskInit ?? (game === 'deletion' ? 1 : 0.5), (x) => x >= 0 && x <= 1, 'a number in [0, 1]'),
    seed: num('seed', o.seed ?? DEFAULTS.seed, (x) => int(x) && x >= 0 && x < 2 ** 24, 'a whole number from 0 to 16777215'),
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
