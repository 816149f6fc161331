/**
 * maskgrad detect <image...> [--model <dir>]: is each image adversarial?
 * Explain it with the options stored in <model>/detector.json (not today's
 * defaults) and score the explanation with that detector's logistic regression.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, checkModel, loadModel, MAX_JSON_FILE_BYTES, readImageFile, NonFiniteError, readRegularFile, type RgbImage } from '@maskgrad/models/node';
import { describeCalibration, detectAdversarial, parseDetector, type Detector } from '@maskgrad/perturb/node';
import { BACKEND_CHOICES, choiceFlag, modelFlag, parseCommand, requireImages, type OptionSpec } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { modelFolder } from '../download-progress.js';
import { useBackend } from '../model.js';
import { createProgress } from '../progress.js';

export const summary = 'score how likely each image is adversarial, from its explanation';

export const help = `Usage: maskgrad detect <image...> [--model <dir>] [options]

Explain each image (PNG or JPEG) for the class the model gives it, with the
explain options stored in the model's detector.json, and score the explanation
with that detector: the probability that the image is adversarial (PGD-style
noise), and the verdict at the detector's threshold, which is set for a stated
false-alarm rate on clean images (printed with each verdict). Adversarial noise is
high-frequency; the explainer's blur removes it, so an adversarial class
survives less of the blur and needs a larger, more scattered mask.

Options:
  --model <dir>      model folder holding detector.json (default: the built-in
                     shapes model, which ships one); train a detector for a model
                     with: npm run eval:adversarial -- --model <dir> --save
  --backend <name>   auto, webgpu, headlessgl, webasm, cpu or webasm-threads (default auto)
  --json             print one JSON document on stdout (with the threshold's
                     calibration: the clean false-alarm rate it was set for)
  --quiet            no progress line on stderr
  -h, --help         show this help

Examples:
  maskgrad detect shape.png                     (the built-in model and its detector)
  maskgrad detect adv/cat/adversarial.png adv/cat/clean.png --model ./my-shapes-vit --json
`;

const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const EXAMPLE = 'maskgrad detect adversarial.png --model ./my-shapes-vit';

/** <model>/detector.json, read and checked; its absence or damage is a usage error that says what to do. */
export function readDetector(model: string): { path: string; detector: Detector } {
  if (existsSync(model) && !statSync(model).isDirectory()) {
    throw new UsageError(`--model ${model} is a file; 'maskgrad detect' needs a model folder holding detector.json. For example: ${EXAMPLE}`);
  }
  const path = join(model, 'detector.json');
  if (!existsSync(path)) {
    throw new UsageError(
      `this model has no adversarial detector: ${path} is missing. Train one with: npm run eval:adversarial -- --model ${model} --save ` +
      '(the built-in shapes model ships one: leave --model out).',
    );
  }
  const text = readRegularFile(path, { what: 'a detector JSON file', maxBytes: MAX_JSON_FILE_BYTES, error: (d) => new CheckpointError(d) }).toString('utf8');
  try {
    return { path, detector: parseDetector(text, path) };
  } catch (e) {
    if ((e as Error).name === 'DetectorError') throw new UsageError(`the detector file is not usable: ${(e as Error).message}`);
    throw e;
  }
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  // 1. the command line, every image, the model's config and the detector, before any work
  const { values, positionals: images } = parseCommand('detect', args, OPTIONS, true);
  requireImages(images, 'detect', EXAMPLE);
  const model = modelFlag(values, 'detect', EXAMPLE);
  const backendName = choiceFlag(values, 'backend', BACKEND_CHOICES);
  const decoded: RgbImage[] = images.map((path) => readImageFile(path));
  const { path, detector } = readDetector(model);
  const folder = await modelFolder(model, io, values.quiet === true);
  const config = checkModel(folder);
  if (config.imageSize !== detector.imageSize) {
    throw new UsageError(`${path} was trained for ${detector.imageSize} px inputs but the model takes ${config.imageSize} px; train a detector for this model: npm run eval:adversarial -- --model ${model} --save`);
  }

  // 2. the work: explain with the detector's options, score
  const backend = await useBackend(backendName);
  const classifier = loadModel(folder);
  const pixels = decoded.map((img) => classifier.pixels(classifier.prepare(img).image));
  const x = pixels.length === 1 ? pixels[0] : pixels[0].concat(pixels.slice(1), 0);
  const progress = createProgress(io.stderr, values.quiet === true);
  let detections;
  try {
    detections = await detectAdversarial(detector, classifier, x, { onProgress: progress.onProgress });
  } catch (e) {
    throw NonFiniteError.nameImages(e, images, classifier.source);
  } finally {
    progress.finish();
  }

  const results = detections.map((d, i) => ({
    image: images[i], score: d.score, adversarial: d.adversarial, index: d.index, label: d.label, probability: d.probability,
  }));
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ model, detector: path, backend, threshold: detector.threshold, calibration: detector.calibration, explainOptions: detector.explainOptions, results }, null, 2)}\n`);
  } else {
    // the verdicts on stdout, how they were reached on stderr
    const o = detector.explainOptions;
    const c = detector.calibration;
    const rate = c === null ? 'uncalibrated' : `${(100 * c.falsePositiveRate).toFixed(1)}% false alarms on clean images`;
    io.stdout.write(results.map((r) =>
      `${r.image}: ${r.adversarial ? 'ADVERSARIAL' : 'clean'} (score ${r.score.toFixed(3)}, threshold ${detector.threshold.toFixed(3)}: ${rate}); ` +
      `the model says '${r.label}' (class ${r.index}, p ${r.probability.toFixed(3)})\n`).join(''));
    io.stderr.write(`detector ${path}: ${o.game} game, ${o.iterations} iterations, ${o.maskSize}×${o.maskSize} mask, blur σ ${o.blurSigma.toFixed(2)} px; ${describeCalibration(detector)}; backend ${backend}\n`);
  }
  return 0;
}
