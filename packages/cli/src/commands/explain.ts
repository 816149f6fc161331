/**
 * maskgrad explain <image...> --model <dir> --out <dir>: learn a mask per
 * image (the extremal perturbation by default, the meaningful perturbation
 * with --method meaningful or --preset classic), all images as one batch,
 * and write mask, heatmap, perturbed, blurred, collage, result.json and
 * report.html. The help text is generated from perturb's DEFAULTS and PRESETS.
 */
import { checkModel, labelsFor, loadModel, readImageFile } from '@maskgrad/models/node';
import {
  DEFAULTS, LIMITS, METHOD_ONLY_OPTIONS, OUTPUT_FILES, PRESETS, afterPhrase, gamePhrase, presetSummary, defaultMaskSize, methodOf, perturbBatch, weakPerturbationNote, resolveOptions, resolveTarget,
  type ExplainOptions, type ExplainResult, type ExtremalGame, type Method, type PresetName, type Perturbation, type Reward,
} from '@maskgrad/perturb/node';
import { BACKEND_CHOICES, choiceFlag, numberFlag, parseCommand, requireImages, modelFlag, stringFlag, type OptionSpec, type Values } from '../args.js';
import { flagOf, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { modelFolder } from '../download-progress.js';
import { useBackend } from '../model.js';
import { checkReplaceable, outputFolders } from '../output-folders.js';
import { createProgress } from '../progress.js';

export const summary = 'learn a mask that explains each image\'s class; write images and result.json';

const E = DEFAULTS.extremal;
const M = DEFAULTS.meaningful;
/** A size given at 224 px, as the help states it: at 64 px and at 224 px. */
const sized = (at224: number) => `${+((at224 * 64) / 224).toFixed(2)} at 64 px, ${at224} at 224, scaled`;
const pct = (x: number) => `${Math.round(100 * x)}%`;
/** A paragraph wrapped at 76 columns. */
const wrapped = (text: string) => {
  const lines = [''];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last.length + word.length + 1 <= 76) lines[lines.length - 1] = last ? `${last} ${word}` : word;
    else lines.push(word);
  }
  return lines.join('\n');
};
/** Words wrapped to the help's second column (28 spaces in, 80 wide). */
const column = (text: string) => {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    if (lines.length > 0 && lines[lines.length - 1].length + word.length < 52) lines[lines.length - 1] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join(`\n${' '.repeat(28)}`);
};

export const help = `Usage: maskgrad explain <image...> [--model <dir>] [--out <dir>] [options]

Find the region of each image that carries the model's evidence for its
class, by gradient descent on a mask. Several images are explained together
as one batch, each in its own subfolder of --out named after the image file.

${wrapped(`The default method, the extremal perturbation (Fong, Patrick & Vedaldi, ICCV 2019), fixes the mask's area: for each area in --areas it finds the smooth mask of that area ${gamePhrase(E.game)} (the ${E.game} game), and reports the smallest area whose region keeps ${pct(E.keepShare)} of the original probability (--keep-share). The meaningful perturbation (Fong & Vedaldi, ICCV 2017; --method meaningful) weights an area (l1) and a smoothness (TV) term instead; --preset classic is that method with the settings of the PyTorch reference run.`)}

Writes mask.png, heatmap.png, perturbed.png, blurred.png, collage.png,
result.json and report.html, a self-contained page of the result with the
probability for every area (one image: directly in --out; several: in
--out/<image name>/).

Options (S is the model's input side in pixels):
  --model <id|dir|file>     a Hub id org/name[@revision] (downloaded into the
                            Hugging Face cache; HF_ENDPOINT, HF_HUB_OFFLINE and
                            HF_TOKEN honoured), a ViT checkpoint folder, or a
                            .safetensors file with --config; default: the
                            built-in shapes model
  --out <dir>               output folder (new, empty, or a previous result);
                            default: explained/<image name>/ per image
  --config <json>           config.json or timm_config.json for a bare .safetensors file
  --target <N|label>        class index or label to explain (default: the top class)
  --method <name>           extremal or meaningful (default ${DEFAULTS.method})
  --preset <name>           ${column(`classic: ${presetSummary('classic')}`)}
  --game <name>             preservation, deletion, or dual (extremal only: keep the
                            region and delete it at once) (default ${E.game})
  --iterations <N>          optimization steps, at most 100000 (default ${E.iterations}; meaningful ${M.iterations})
  --blur-sigma <px>         the blur's σ: extremal, the blur pyramid's strongest level
                            (default ${sized(E.blurSigmaAt224)}); meaningful (default ${sized(M.blurSigmaAt224)})
  --lr <x>                  Adam learning rate, at most 10 (default ${E.lr}; meaningful ${M.lr})
  --mask-init <x>           initial mask value (default ${E.maskInit}; meaningful 1 deletion, 0.5 preservation)
  --backend <name>          auto, webgpu, headlessgl, webasm, cpu or webasm-threads (default auto)
  --no-plot                 write result.json only, no images
  --no-report               do not write report.html
  --json                    print the results as one JSON document on stdout
  --quiet                   no progress line on stderr
  -h, --help                show this help

Extremal perturbation:
  --areas <a,b,...>         areas to try, fractions of the image, one mask each
                            in one batch (default ${E.areas.join(',')})
  --keep-share <x>          report the smallest area keeping this share of the
                            probability (deletion: removing it) (default ${E.keepShare})
  --levels <N>              levels of the blur pyramid (default ${E.levels})
  --mask-step <px>          pixels between mask cells (default ${sized(E.maskStepAt224)}, rounded)
  --mask-sigma <px>         σ of the mask's smoothing (default ${sized(E.maskSigmaAt224)})
  --area-weight <x>         weight of the area term at the first step, 0 to ${LIMITS.weight} (default ${E.areaWeight})
  --area-weight-growth <x>  how much that weight grows over the run (default ×${E.areaWeightGrowth})
  --reward <name>           simple (the class's logit) or contrastive (minus the best
                            other logit) (default ${E.reward})
  --flip                    mirror the image every other step (TorchRay's jitter; default ${E.flip ? 'on' : 'off'})

Meaningful perturbation (--method meaningful or --preset classic):
  --perturbation <name>     blur, constant or noise (default ${M.perturbation})
  --mask-size <N>           side of the low-resolution mask (default max(${M.maskSizeMin}, S/${M.maskSizeDivisor}):
                            ${defaultMaskSize(64)} at 64, ${defaultMaskSize(224)} at 224)
  --noise-std <s>           noise perturbation std, pixels in [0, 1] (default ${M.noiseStd})
  --constant-color <r,g,b>  constant perturbation colour in [0, 1] (default image mean)
  --l1 <x>                  weight of the mask-area term, 0 to ${LIMITS.weight} (default ${M.l1})
  --tv <x>                  weight of the total-variation term, 0 to ${LIMITS.weight} (default ${M.tv})
  --tv-beta <x>             exponent of the total-variation term, 1 to ${LIMITS.tvBeta} (default ${M.tvBeta})
  --mask-noise <s>          std of noise added to the mask per step (default ${M.maskNoise}${M.maskNoise === 0 ? ' = off' : ''})
  --jitter <px>             random shift per step in pixels (default ${M.jitterAt224}${M.jitterAt224 === 0 ? ' = off' : ''})
  --seed <N>                random seed of the mask noise and jitter, 0 to 16777215 (default ${M.seed})

The answer goes to stdout (or --json), notes and progress to stderr. A run
that produces NaN or Infinity stops with exit 1 and writes nothing.

Examples:
  maskgrad explain shape.png                  (the built-in model; writes explained/shape/)
  maskgrad explain shape.png --areas 0.05,0.1,0.2 --game dual
  maskgrad explain shape.png --preset classic (the meaningful perturbation, PyTorch's settings)
  maskgrad explain cat.jpg --model google/vit-base-patch16-224
  maskgrad explain cat.png --model ./vit-base-patch16-224 --out explained/cat
  maskgrad explain photos/*.jpg --model ./vit-base-patch16-224 --out explained --json
`;

const NUMBER_FLAGS = [
  'iterations', 'mask-size', 'blur-sigma', 'noise-std', 'l1', 'tv', 'tv-beta', 'lr', 'mask-noise', 'mask-init', 'jitter', 'seed',
  'levels', 'mask-step', 'mask-sigma', 'area-weight', 'area-weight-growth', 'keep-share',
] as const;

const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  target: { type: 'string' },
  method: { type: 'string' },
  preset: { type: 'string' },
  game: { type: 'string' },
  perturbation: { type: 'string' },
  'constant-color': { type: 'string' },
  areas: { type: 'string' },
  reward: { type: 'string' },
  flip: { type: 'boolean' },
  backend: { type: 'string' },
  'no-plot': { type: 'boolean' },
  'no-report': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(NUMBER_FLAGS.map((f) => [f, { type: 'string' as const }])),
};

/** Without --out each image gets explained/<image name>/. */
const DEFAULT_OUT = 'explained';
const EXAMPLE = 'maskgrad explain cat.png --model ./vit-base-patch16-224 --out explained/cat';
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The ExplainOptions the flags spell (unchecked ranges: resolveOptions checks those). */
function explainOptions(values: Values): ExplainOptions {
  const options: ExplainOptions = {
    method: choiceFlag<Method>(values, 'method', ['extremal', 'meaningful']),
    preset: choiceFlag<PresetName>(values, 'preset', Object.keys(PRESETS) as PresetName[]),
    game: choiceFlag<ExtremalGame>(values, 'game', ['preservation', 'deletion', 'dual']),
    perturbation: choiceFlag<Perturbation>(values, 'perturbation', ['blur', 'constant', 'noise']),
    reward: choiceFlag<Reward>(values, 'reward', ['simple', 'contrastive']),
    flip: values.flip === true ? true : undefined,
  };
  const numbers = options as Record<string, unknown>;
  for (const flag of NUMBER_FLAGS) {
    const value = numberFlag(values, flag, 'explain');
    if (value !== undefined) numbers[camel(flag)] = value;
  }
  const color = stringFlag(values, 'constant-color');
  if (color !== undefined) {
    const rgb = color.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
    if (rgb.length !== 3 || rgb.some((v) => !(v >= 0 && v <= 1))) {
      throw new UsageError(`--constant-color '${color}' is not a colour: write three numbers in [0, 1] separated by commas, e.g. 0.5,0.5,0.5.`);
    }
    options.constantColor = [rgb[0], rgb[1], rgb[2]];
  }
  const areas = stringFlag(values, 'areas');
  if (areas !== undefined) {
    const list = areas.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
    if (list.some((v) => !(v > 0 && v < 1))) {
      throw new UsageError(`--areas '${areas}' is not a list of areas: write fractions of the image above 0 and below 1, separated by commas, e.g. 0.05,0.1,0.2.`);
    }
    options.areas = list;
  }
  // a flag of the other method would be ignored: say so instead
  const method = methodOf(options);
  const other: Method = method === 'extremal' ? 'meaningful' : 'extremal';
  for (const key of METHOD_ONLY_OPTIONS[other]) {
    if (numbers[key] !== undefined) {
      const how = options.method ? `--method ${method}` : options.preset ? `--preset ${options.preset}` : `the default method, ${method}`;
      throw new UsageError(`${flagOf(key)} belongs to the ${other} perturbation, and this explanation uses ${how}: add --method ${other}, or leave ${flagOf(key)} out. See 'maskgrad explain --help'.`);
    }
  }
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ExplainOptions;
}

/** One line for a result: the class, and what the reported mask keeps (extremal: every area). */
function describeResult(r: ExplainResult): string {
  if (r.method !== 'extremal' || !r.areas) return `${r.probabilityAfter.toFixed(4)} ${afterPhrase(r.options.game)}`;
  const deletion = r.options.game === 'deletion';
  const sweep = r.areas.map((a) => `${a.area}: ${(deletion ? a.probabilityDeleted : a.probabilityKept).toFixed(3)}`).join(', ');
  return `${r.probabilityAfter.toFixed(4)} ${deletion ? 'with the region of' : 'with only the region of'} area ${r.areas[r.chosenArea!].area} ` +
    `${deletion ? 'perturbed' : 'kept'} (every area: ${sweep})`;
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  // 1. check the whole command line, the images and the model's config before any work
  const { values, positionals: images } = parseCommand('explain', args, OPTIONS, true);
  requireImages(images, 'explain', EXAMPLE);
  const model = modelFlag(values, 'explain', EXAMPLE);
  const outFlag = stringFlag(values, 'out');
  if (outFlag === '') throw new UsageError(`--out is empty: pass the folder to write the explanation into, or leave it out for explained/<image name>/. For example: ${EXAMPLE}`);
  const out = outFlag ?? DEFAULT_OUT;
  const backendName = choiceFlag(values, 'backend', BACKEND_CHOICES);
  const options = explainOptions(values);
  for (const image of images) readImageFile(image);
  const configPath = stringFlag(values, 'config');
  const folder = await modelFolder(model, io, values.quiet === true);
  const config = checkModel(folder, { config: configPath });
  const target = stringFlag(values, 'target');
  if (target !== undefined) options.target = resolveTarget(target, labelsFor(config));
  resolveOptions(options, config.imageSize);
  const folders = outputFolders(images, out, outFlag === undefined);
  // several images into --out: --out is one result, replaced whole
  const batchFolder = outFlag !== undefined && images.length > 1 ? out : undefined;
  checkReplaceable(out, folders, undefined, batchFolder !== undefined);

  // 2. the work: one batch, one mask per image
  const backend = await useBackend(backendName);
  const classifier = loadModel(folder, { config: configPath });
  const progress = createProgress(io.stderr, values.quiet === true);
  const plot = values['no-plot'] !== true;
  const report = values['no-report'] !== true;
  let results;
  try {
    results = await perturbBatch(images, classifier, folders, null, { ...options, plot, report, modelName: model, onProgress: progress.onProgress, batchFolder });
  } finally {
    progress.finish();
  }

  const rows = results.map((r, i) => ({
    image: images[i], out: folders[i], method: r.method, target: r.target, label: r.label,
    probabilityBefore: r.probabilityBefore, probabilityAfter: r.probabilityAfter, probabilityPerturbed: r.probabilityPerturbed,
    ...(r.areas ? { area: r.areas[r.chosenArea!].area, areas: r.areas.map((a) => ({ area: a.area, probabilityKept: a.probabilityKept, probabilityDeleted: a.probabilityDeleted })) } : {}),
  }));
  // the answer on stdout; notes, for a person, on stderr
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ results: rows }, null, 2)}\n`);
  } else {
    const files = plot ? OUTPUT_FILES.filter((f) => report || f !== 'report.html').join(', ') : 'result.json';
    io.stdout.write(rows.map((r, i) =>
      `${r.image}: '${r.label}' (class ${r.target}) probability ${r.probabilityBefore.toFixed(4)} before, ${describeResult(results[i]!)} ` +
      `(${r.method} perturbation, ${results[i]!.options.game} game, backend ${backend})\n  wrote ${r.out}/ (${files})\n`).join(''));
  }
  results.forEach((r, i) => {
    const note = weakPerturbationNote(r);
    if (note !== null) io.stderr.write(`note: ${images[i]}: ${note}\n`);
  });
  return 0;
}
