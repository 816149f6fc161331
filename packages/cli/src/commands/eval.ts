/**
 * maskgrad eval [--model <dir>] [--images N] [--seed S] [--methods a,b] [--out <dir>]:
 * "does the explanation point at the object?" as numbers, on generated
 * shapes whose object boxes are known (packages/models/src/data/shapes.ts).
 */
import { basename, join, resolve } from 'node:path';
import { checkModel, labelsFor, makeShapesDataset, SHAPE_CLASSES, loadModel } from '@maskgrad/models/node';
import { DEFAULT_METHODS, evalMarkdown, evaluate, METHODS, resolveOptions, toMarkdownTable, writeFolder, type MethodName } from '@maskgrad/perturb/node';
import { BACKEND_CHOICES, choiceFlag, modelFlag, parseCommand, stringFlag, wholeFlag, type OptionSpec } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { modelFolder } from '../download-progress.js';
import { useBackend } from '../model.js';
import { checkReplaceable } from '../output-folders.js';

/** The generated images are held in memory together (12 KB each at 64 px). */
const MAX_IMAGES = 10_000;

export const summary = 'score the explanations on generated shapes: what a reader sees, pointing game, deletion/insertion AUC';

export const help = `Usage: maskgrad eval [--model <dir>] [--images N] [--seed S] [options]

Explain N generated shape images whose object boxes are known, with the
extremal and the meaningful perturbation (shipped defaults) and each
baseline, and score every method by what a reader sees (the share of the
map's mass in the object's box; whether the region marked at ≥ 0.5 covers
≥ 20% of the box with ≥ 60% of itself inside it; whether the fully perturbed
image loses the class) and by the pointing game (the saliency peak inside
the box), centroid pointing, deletion and insertion AUC (Petsiuk et al.
2018) and mean area. Prints a Markdown table; writes results.md and
results.json to --out. The model must classify the shapes task (labels
${SHAPE_CLASSES.join(', ')}).

Options:
  --model <dir|file>   a shapes ViT checkpoint (default: the built-in model)
  --config <json>      config.json for a bare .safetensors file
  --images <N>         how many images, at most ${MAX_IMAGES} (default 200)
  --seed <N>           seed of the generated images, at most 4294967295 (default 2002: held out
                       from the built-in model's training)
  --methods <a,b,...>  some of ${METHODS.join(', ')}
                       (default ${DEFAULT_METHODS.join(',')})
  --iterations <N>     both perturbation methods' optimization steps (default: shipped)
  --out <dir>          where results.md and results.json go (default eval-out/<model name>)
  --backend <name>     auto, webgpu, headlessgl, webasm, cpu or webasm-threads (default auto)
  --json               print results.json on stdout instead of the table
  --quiet              no progress on stderr
  -h, --help           show this help

Example:
  maskgrad eval --images 50
`;

const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  config: { type: 'string' },
  images: { type: 'string' },
  seed: { type: 'string' },
  methods: { type: 'string' },
  iterations: { type: 'string' },
  out: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const EXAMPLE = 'maskgrad eval --images 50';
const RESULT_FILES = ['results.md', 'results.json'];

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('eval', args, OPTIONS, false);
  const model = modelFlag(values, 'eval', EXAMPLE);
  const count = wholeFlag(values, 'images', 'eval', 1, MAX_IMAGES) ?? 200;
  const seed = wholeFlag(values, 'seed', 'eval', 0, 2 ** 32 - 1) ?? 2002;
  const iterations = wholeFlag(values, 'iterations', 'eval', 1);
  const methods = (stringFlag(values, 'methods') ?? DEFAULT_METHODS.join(',')).split(',').map((m) => m.trim()) as MethodName[];
  for (const m of methods) {
    if (!(METHODS as readonly string[]).includes(m)) throw new UsageError(`--methods: '${m}' is not a method; use some of ${METHODS.join(', ')}.`);
  }
  const backendName = choiceFlag(values, 'backend', BACKEND_CHOICES);
  const configPath = stringFlag(values, 'config');
  const folder = await modelFolder(model, io, values.quiet === true);
  const config = checkModel(folder, { config: configPath });
  const labels = labelsFor(config);
  if (labels.join(',') !== SHAPE_CLASSES.join(',')) {
    throw new UsageError(
      `${model}: eval generates shape images, so the model must classify them with the labels ${SHAPE_CLASSES.join(', ')} in that order; ` +
      `this one has ${labels.length} classes (${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', ...' : ''}). Leave --model out to use the built-in model.`,
    );
  }
  const name = basename(resolve(model)).replace(/\.safetensors$/, '');
  const out = stringFlag(values, 'out') ?? join('eval-out', name);
  if (out === '') throw new UsageError(`--out is empty: pass a folder for results.md and results.json. For example: ${EXAMPLE} --out eval-out`);
  if (iterations !== undefined) resolveOptions({ iterations }, config.imageSize);
  checkReplaceable(out, [out], RESULT_FILES);

  const t0 = performance.now();
  const backend = await useBackend(backendName);
  const classifier = loadModel(folder, { config: configPath });
  const samples = makeShapesDataset(count, seed);
  const quiet = values.quiet === true || !io.stderr.isTTY;
  const result = await evaluate(
    classifier, samples.map((s) => s.image), samples.map(({ box: [x0, y0, x1, y1] }) => ({ x0, y0, x1, y1 })),
    {
      methods,
      explainOptions: iterations === undefined ? {} : { iterations },
      extremalOptions: iterations === undefined ? {} : { iterations },
      onProgress: quiet ? undefined : (p) => io.stderr.write(`\r${p.phase}${p.method ? ` ${p.method}` : ''} ${p.done}/${p.total} images, ${p.seconds.toFixed(0)} s   `),
    },
  );
  if (!quiet) io.stderr.write('\n');
  const seconds = (performance.now() - t0) / 1000;
  const command = `maskgrad ${args.join(' ')}`.trim();
  const doc = { model, data: `generated shapes, seed ${seed}`, command, backend, node: process.version, date: new Date().toISOString(), wallSeconds: seconds, ...result };
  writeFolder(out, {
    'results.md': evalMarkdown({ result, name, data: doc.data, backend, seconds, command }),
    'results.json': `${JSON.stringify(doc, null, 2)}\n`,
  });
  if (values.json) io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else io.stdout.write(`${toMarkdownTable(result)}\n`);
  io.stderr.write(`${count} images in ${seconds.toFixed(1)} s (backend ${backend}); wrote ${join(out, 'results.md')} and results.json\n`);
  return 0;
}
