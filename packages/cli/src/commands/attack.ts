/**
 * maskgrad attack <image> --model <dir> --method fgsm|pgd --eps 8/255 --out <dir>:
 * an L∞ adversarial image, and whether the attack survives saving it as an
 * 8-bit PNG (checked by encoding and decoding it).
 */
import { join, parse } from 'node:path';
import { checkModel, labelsFor, loadModel, readImageFile } from '@maskgrad/models/node';
import { attackImage, resolveAttackOptions, resolveTarget, type AttackOptions } from '@maskgrad/perturb/node';
import { BACKEND_CHOICES, choiceFlag, numberFlag, parseCommand, requireImages, modelFlag, stringFlag, wholeFlag, type OptionSpec, type Values } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { modelFolder } from '../download-progress.js';
import { useBackend } from '../model.js';
import { readDetector } from './detect.js';
import { checkReplaceable } from '../output-folders.js';

export const summary = 'make an adversarial image (FGSM, PGD, or adaptive against the detector) and check it survives PNG';

export const help = `Usage: maskgrad attack <image> [--model <dir>] [--out <dir>] [options]

Perturb the image within an L-infinity budget so that the model changes its
answer (or, with --target, gives that class), write adversarial.png, clean.png
and result.json, and report whether the attack still works after the 8-bit PNG
round trip (checked by encoding and decoding the PNG, not assumed).

Options:
  --model <id|dir|file>
                       Hub id org/name[@revision], ViT checkpoint folder (or a
                       .safetensors file with --config); default: the built-in model
  --out <dir>          output folder (new, empty, or a previous result);
                       default: attacked/<image name>/
  --config <json>      config.json or timm_config.json for a bare .safetensors file
  --method <name>      fgsm or pgd (default pgd)
  --eps <x>            L-infinity budget in [0, 1] pixel units; fractions allowed (default 8/255)
  --steps <N>          PGD iterations (default 10; FGSM takes one step)
  --step-size <x>      PGD step, fractions allowed (default eps/4)
  --no-random-start    PGD starts at the image instead of a random point of the eps-ball
  --target <N|label>   targeted attack: make the model say this class
  --seed <N>           random start seed (default 0)
  --adaptive           attack the model and its adversarial detector together
                       (the model folder's detector.json): PGD on the margin of
                       the clean class plus the detector's logit, through the
                       explanation with its masks held fixed between fresh
                       explanations (BPDA); default 50 steps of 2.5·eps/steps,
                       and reports the detector's verdict on the saved PNG
  --refresh <N>        --adaptive: explain afresh every N steps (default 10)
  --detector-weight <x>
                       --adaptive: weight of the detector's logit (default 1)
  --backend <name>     auto, webgpu, headlessgl, webasm, cpu or webasm-threads (default auto)
  --json               print the result as one JSON document on stdout
  -h, --help           show this help

Example:
  maskgrad attack cat.png --model ./vit-base-patch16-224 --method pgd --eps 8/255 --out adv/cat
`;

const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  method: { type: 'string' },
  eps: { type: 'string' },
  steps: { type: 'string' },
  'step-size': { type: 'string' },
  'no-random-start': { type: 'boolean' },
  target: { type: 'string' },
  seed: { type: 'string' },
  adaptive: { type: 'boolean' },
  refresh: { type: 'string' },
  'detector-weight': { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const EXAMPLE = 'maskgrad attack cat.png --model ./vit-base-patch16-224 --eps 8/255 --out adv/cat';

/** A number or a fraction like 8/255. */
function fractionFlag(values: Values, name: string): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const m = /^\s*([0-9.]+(?:e-?\d+)?)\s*(?:\/\s*([0-9.]+))?\s*$/i.exec(raw);
  const v = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
  if (!(Number.isFinite(v) && v > 0 && v <= 1)) {
    throw new UsageError(`--${name} '${raw}' is not allowed: use a number in (0, 1] or a fraction such as 8/255. See 'maskgrad attack --help'.`);
  }
  return v;
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals: images } = parseCommand('attack', args, OPTIONS, true);
  requireImages(images, 'attack', EXAMPLE);
  if (images.length > 1) throw new UsageError(`'maskgrad attack' takes one image, found ${images.length}. Run it once per image.`);
  const model = modelFlag(values, 'attack', EXAMPLE);
  const outFlag = stringFlag(values, 'out');
  if (outFlag === '') throw new UsageError(`--out is empty: pass the folder to write the adversarial image into, or leave it out for attacked/<image name>/. For example: ${EXAMPLE}`);
  const out = outFlag ?? join('attacked', parse(images[0]).name || 'image');
  const options: AttackOptions = {
    method: choiceFlag(values, 'method', ['fgsm', 'pgd'] as const) ?? 'pgd',
    eps: fractionFlag(values, 'eps') ?? 8 / 255,
    stepSize: fractionFlag(values, 'step-size'),
    steps: wholeFlag(values, 'steps', 'attack', 1, 10_000),
    randomStart: values['no-random-start'] === true ? false : undefined,
    seed: numberFlag(values, 'seed', 'attack'),
  };
  const backendName = choiceFlag(values, 'backend', BACKEND_CHOICES);
  const adaptive = values.adaptive === true;
  if (!adaptive && (values.refresh !== undefined || values['detector-weight'] !== undefined)) {
    throw new UsageError("--refresh and --detector-weight belong to --adaptive; add --adaptive or leave them out. See 'maskgrad attack --help'.");
  }
  if (adaptive && (options.method !== 'pgd' || values.target !== undefined || values['no-random-start'] === true)) {
    throw new UsageError("--adaptive is an untargeted PGD from the image itself: leave out --method fgsm, --target and --no-random-start. See 'maskgrad attack --help'.");
  }
  const refresh = wholeFlag(values, 'refresh', 'attack', 1, 10_000);
  const detectorWeight = numberFlag(values, 'detector-weight', 'attack');
  readImageFile(images[0]);
  const configPath = stringFlag(values, 'config');
  const folder = await modelFolder(model, io, false);
  const config = checkModel(folder, { config: configPath });
  const target = stringFlag(values, 'target');
  if (target !== undefined) options.target = resolveTarget(target, labelsFor(config));
  resolveAttackOptions(options);
  const detector = adaptive ? readDetector(folder).detector : undefined;
  if (detector && detector.imageSize !== config.imageSize) {
    throw new UsageError(`the model's detector.json was trained for ${detector.imageSize} px inputs but the model takes ${config.imageSize} px; train one: npm run eval:adversarial -- --model ${model} --save`);
  }
  checkReplaceable(out, [out], ['adversarial.png', 'clean.png', 'result.json']);

  const backend = await useBackend(backendName);
  const classifier = loadModel(folder, { config: configPath });
  const r = await attackImage(images[0], classifier, out, options, detector && { detector, refresh, detectorWeight });
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ ...r, out, backend }, null, 2)}\n`);
  } else {
    const p = (x: { label: string; probability: number }) => `'${x.label}' (${x.probability.toFixed(3)})`;
    io.stdout.write(
      `${r.image}: ${p(r.clean)} → ${p(r.adversarial)} with ${r.method} eps ${r.eps.toFixed(4)}; attack ${r.succeeded ? 'succeeded' : 'failed'}\n` +
      `  after the 8-bit PNG round trip: ${p(r.afterPngRoundTrip)}, attack ${r.succeededAfterPngRoundTrip ? 'still succeeds' : 'no longer succeeds'}\n` +
      (r.adaptive ? `  the detector on the saved PNG: ${r.adaptive.detected ? 'ADVERSARIAL' : 'clean'} (score ${r.adaptive.detectorScore.toFixed(3)}, threshold ${r.adaptive.threshold.toFixed(3)}); ` +
        `${r.adaptive.undetectedAndSucceeded ? 'the attack succeeds undetected' : 'the attack does not succeed undetected'} (${r.steps} steps, ${r.adaptive.explanations} explanations)\n` : '') +
      `  wrote ${out}/ (adversarial.png, clean.png, result.json)\n`,
    );
  }
  return 0;
}
