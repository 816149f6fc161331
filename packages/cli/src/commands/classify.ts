/**
 * maskgrad classify <image...> --model <dir|file>: the top-k classes of each image.
 */
import { checkModel, loadModel, NonFiniteError, readImageFile } from '@maskgrad/models/node';
import { BACKEND_CHOICES, choiceFlag, parseCommand, requireImages, modelFlag, stringFlag, wholeFlag, type OptionSpec } from '../args.js';
import type { Io } from '../io.js';
import { modelFolder } from '../download-progress.js';
import { useBackend } from '../model.js';

export const summary = 'print the top classes of each image';

export const help = `Usage: maskgrad classify <image...> [--model <id|dir|file>] [options]

Classify each image (PNG or JPEG) and print its most probable classes.

Options:
  --model <id|dir|file>
                       ViT checkpoint (default: the built-in shapes model): a Hub id
                       org/name[@revision] (downloaded into the Hugging Face cache),
                       a folder with config.json (or timm_config.json) and
                       model.safetensors, or a .safetensors file with --config
  --config <json>      config.json or timm_config.json for a bare .safetensors file
  --top <k>            how many classes to show per image (default 5)
  --backend <name>     auto, webgpu, headlessgl, webasm, cpu or webasm-threads (default auto)
  --json               print one JSON document on stdout instead of a table
  -h, --help           show this help

Example:
  maskgrad classify cat.png dog.jpg --model ./vit-base-patch16-224 --top 3
`;

const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  config: { type: 'string' },
  top: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const EXAMPLE = 'maskgrad classify cat.png --model ./vit-base-patch16-224';
/** Images per forward pass: bounds memory for long lists of large images. */
const BATCH = 16;

interface Prediction { index: number; label: string; probability: number }

export async function run(args: readonly string[], io: Io): Promise<number> {
  // 1. everything on the command line, then every image, before the model
  const { values, positionals: images } = parseCommand('classify', args, OPTIONS, true);
  requireImages(images, 'classify', EXAMPLE);
  const model = modelFlag(values, 'classify', EXAMPLE);
  const top = wholeFlag(values, 'top', 'classify', 1) ?? 5;
  const backendName = choiceFlag(values, 'backend', BACKEND_CHOICES);
  for (const path of images) readImageFile(path); // every image decodes (then is let go: memory stays per batch)
  const config = stringFlag(values, 'config');
  const folder = await modelFolder(model, io, false);
  checkModel(folder, { config }); // a bad config is reported before the weights are read

  // 2. the work, a batch of images at a time
  const backend = await useBackend(backendName);
  const classifier = loadModel(folder, { config });
  const tops: Prediction[][] = [];
  for (let i = 0; i < images.length; i += BATCH) {
    const batch = images.slice(i, i + BATCH);
    const x = classifier.preprocess(batch.map((path) => readImageFile(path)));
    try {
      tops.push(...(await classifier.classify(x, top)));
    } catch (e) {
      throw NonFiniteError.nameImages(e, batch, classifier.source);
    }
  }

  if (values.json) {
    const results = images.map((image, i) => ({ image, top: tops[i] }));
    io.stdout.write(`${JSON.stringify({ model, backend, results }, null, 2)}\n`);
  } else {
    io.stdout.write(images.map((image, i) => table(image, tops[i])).join('\n'));
  }
  return 0;
}

/** One image's predictions as an aligned table. */
function table(image: string, predictions: readonly Prediction[]): string {
  const width = Math.max(5, ...predictions.map((p) => p.label.length));
  const rows = predictions.map((p, rank) =>
    `  ${String(rank + 1).padStart(4)}  ${String(p.index).padStart(5)}  ${p.label.padEnd(width)}  ${p.probability.toFixed(4).padStart(11)}`);
  return [image, `  rank  index  ${'label'.padEnd(width)}  probability`, ...rows, ''].join('\n');
}
