/**
 * maskgrad explain <image...> --model <dir> --out <dir>: learn a mask per
 * image by meaningful perturbation (Fong & Vedaldi 2017), all images as one
 * batch, and write mask, heatmap, perturbed, blurred, collage, result.json and report.html.
 */
import { checkModel, loadModel, readImageFile } from '@maskgrad/models/node';
import { DEFAULTS, LIMITS, OUTPUT_FILES, afterPhrase, defaultMaskSize, perturbBatch, weakPerturbationNote, resolveOptions, type ExplainOptions, type Game, type Perturbation } from '@maskgrad/perturb/node';
import { BACKEND_CHOICES, choiceFlag, numberFlag, parseCommand, requireImages, modelFlag, stringFlag, type OptionSpec, type Values } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { labelsOf, resolveTarget, useBackend } from '../model.js';
import { checkReplaceable, outputFolders } from '../output-folders.js';
import { createProgress } from '../progress.js';

export const summary = 'learn a mask that explains each image\'s class; write images and result.json';

export const help = `Usage: maskgrad explain <image...> [--model <dir>] [--out <dir>] [options]

Find the smallest region of each image whose blurring destroys the model's
evidence for a class (deletion game) or that alone preserves it (preservation
game), by gradient descent on a mask. Several images are explained together as
one batch, each in its own subfolder of --out named after the image file.

Writes mask.png, heatmap.png, perturbed.png, blurred.png, collage.png,
result.json and report.html, a self-contained page of the result (one image:
directly in --out; several: in --out/<image name>/).

Options (S is the model's input side in pixels):
  --model <dir|file>        ViT checkpoint folder (or a .safetensors file with
                            --config); default: the built-in shapes model
  --out <dir>               output folder (new, empty, or a previous result);
                            default: explained/<image name>/ per image
  --config <json>           config.json or timm_config.json for a bare .safetensors file
  --target <N|label>        class index or label to explain (default: the top class)
  --game <name>             deletion or preservation (default preservation)
  --perturbation <name>     blur, constant or noise (default blur)
  --iterations <N>          optimization steps, at most 100000 (default ${DEFAULTS.iterations})
  --mask-size <N>           side of the low-resolution mask (default max(${DEFAULTS.maskSizeMin}, S/${DEFAULTS.maskSizeDivisor}):
                            ${defaultMaskSize(64)} at 64, ${defaultMaskSize(224)} at 224)
  --blur-sigma <px>         Gaussian blur sigma in pixels (default ${DEFAULTS.blurSigmaAt224} at 224, scaled)
  --noise-std <s>           noise perturbation std, pixels in [0, 1] (default ${DEFAULTS.noiseStd})
  --constant-color <r,g,b>  constant perturbation colour in [0, 1] (default image mean)
  --l1 <x>                  weight of the mask-area term, 0 to ${LIMITS.weight} (default ${DEFAULTS.l1})
  --tv <x>                  weight of the total-variation term, 0 to ${LIMITS.weight} (default ${DEFAULTS.tv})
  --tv-beta <x>             exponent of the total-variation term, 1 to ${LIMITS.tvBeta} (default ${DEFAULTS.tvBeta})
  --lr <x>                  Adam learning rate, at most 10 (default ${DEFAULTS.lr})
  --mask-noise <s>          std of noise added to the mask per step (default 0 = off)
  --mask-init <x>           initial mask value (default 1 deletion, 0.5 preservation)
  --jitter <px>             random shift per step in pixels (default 0 = off)
  --seed <N>                random seed, 0 to 16777215 (default 0)
  --backend <name>          auto, webgpu, headlessgl, webasm, cpu or webasm-threads (default auto)
  --no-plot                 write result.json only, no images
  --no-report               do not write report.html
  --json                    print the results as one JSON document on stdout
  --quiet                   no progress line on stderr
  -h, --help                show this help

The answer goes to stdout (or --json), notes and progress to stderr. A run
that produces NaN or Infinity stops with exit 1 and writes nothing.

Examples:
  maskgrad explain shape.png                  (the built-in model; writes explained/shape/)
  maskgrad explain cat.png --model ./vit-base-patch16-224 --out explained/cat
  maskgrad explain photos/*.jpg --model ./vit-base-patch16-224 --out explained --json
`;

const NUMBER_FLAGS = ['iterations', 'mask-size', 'blur-sigma', 'noise-std', 'l1', 'tv', 'tv-beta', 'lr', 'mask-noise', 'mask-init', 'jitter', 'seed'] as const;

const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  target: { type: 'string' },
  game: { type: 'string' },
  perturbation: { type: 'string' },
  'constant-color': { type: 'string' },
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

/** The ExplainOptions the flags spell (unchecked ranges: resolveOptions checks those). */
function explainOptions(values: Values): ExplainOptions {
  const options: ExplainOptions = {
    game: choiceFlag<Game>(values, 'game', ['deletion', 'preservation']),
    perturbation: choiceFlag<Perturbation>(values, 'perturbation', ['blur', 'constant', 'noise']),
  };
  const numbers = options as Record<string, unknown>;
  for (const flag of NUMBER_FLAGS) {
    const value = numberFlag(values, flag, 'explain');
    if (value !== undefined) numbers[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  const color = stringFlag(values, 'constant-color');
  if (color !== undefined) {
    const rgb = color.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
    if (rgb.length !== 3 || rgb.some((v) => !(v >= 0 && v <= 1))) {
      throw new UsageError(`--constant-color '${color}' is not a colour: write three numbers in [0, 1] separated by commas, e.g. 0.5,0.5,0.5.`);
    }
    options.constantColor = [rgb[0], rgb[1], rgb[2]];
  }
  return options;
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
  const config = checkModel(model, { config: configPath });
  const target = stringFlag(values, 'target');
  if (target !== undefined) options.target = resolveTarget(target, labelsOf(config));
  resolveOptions(options, config.imageSize);
  const folders = outputFolders(images, out, outFlag === undefined);
  // several images into --out: --out is one result, replaced whole
  const batchFolder = outFlag !== undefined && images.length > 1 ? out : undefined;
  checkReplaceable(out, folders, undefined, batchFolder !== undefined);

  // 2. the work: one batch, one mask per image
  const backend = await useBackend(backendName);
  const classifier = loadModel(model, { config: configPath });
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
    image: images[i], out: folders[i], target: r.target, label: r.label,
    probabilityBefore: r.probabilityBefore, probabilityAfter: r.probabilityAfter, probabilityPerturbed: r.probabilityPerturbed,
  }));
  // the answer on stdout; notes, for a person, on stderr
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ results: rows }, null, 2)}\n`);
  } else {
    const files = plot ? OUTPUT_FILES.filter((f) => report || f !== 'report.html').join(', ') : 'result.json';
    const game = results[0]?.options.game ?? 'deletion';
    io.stdout.write(rows.map((r) =>
      `${r.image}: '${r.label}' (class ${r.target}) probability ${r.probabilityBefore.toFixed(4)} before, ` +
      `${r.probabilityAfter.toFixed(4)} ${afterPhrase(game)} (${game} game, backend ${backend})\n  wrote ${r.out}/ (${files})\n`).join(''));
  }
  results.forEach((r, i) => {
    const note = weakPerturbationNote(r);
    if (note !== null) io.stderr.write(`note: ${images[i]}: ${note}\n`);
  });
  return 0;
}
