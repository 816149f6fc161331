/**
 * maskgrad info: versions, and every compute backend with whether it runs
 * here and why (probed for real, not guessed), and which one auto picks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setBackend } from '@maskgrad/autograd';
import { OPT_IN_BACKENDS, probeBackends } from '@maskgrad/kernels';
import { defaultModelPath } from '@maskgrad/models/node';
import { parseCommand, type OptionSpec } from '../args.js';
import type { Io } from '../io.js';
import { cliVersion } from '../version.js';

export const summary = 'show versions and which compute backends work here';

export const help = `Usage: maskgrad info [--json]

Show the maskgrad and Node versions, every compute backend (webgpu,
headlessgl, webasm, cpu) with whether it can run here and why, and the one
that --backend auto selects; and the built-in model every command uses
unless --model is given, with where it lives.

Options:
  --json       print one JSON document on stdout
  -h, --help   show this help
`;

const OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** The built-in model: where it lives, whether it is there, its classes and test accuracy. */
function defaultModelInfo(): { path: string; present: boolean; labels: string[] | null; testAccuracy: number | null; detector: boolean } {
  const path = defaultModelPath();
  const read = (f: string): Record<string, unknown> | null => {
    try {
      return JSON.parse(readFileSync(join(path, f), 'utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  const config = read('config.json');
  const training = read('training.json');
  const id2label = config?.id2label as Record<string, string> | undefined;
  const acc = (training?.test as { accuracy?: unknown } | undefined)?.accuracy ?? training?.testAccuracy;
  return {
    path, present: existsSync(join(path, 'model.safetensors')),
    labels: id2label ? Object.keys(id2label).sort((a, b) => Number(a) - Number(b)).map((k) => id2label[k]!) : null,
    testAccuracy: typeof acc === 'number' ? acc : null,
    detector: existsSync(join(path, 'detector.json')),
  };
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('info', args, OPTIONS, false);
  const backends = await probeBackends();
  const auto = (await setBackend('auto')).name;
  const env = process.env.MASKGRAD_BACKEND;
  const model = defaultModelInfo();
  const info = { version: cliVersion(), node: process.version, backends, auto, MASKGRAD_BACKEND: env ?? null, defaultModel: model };
  if (values.json) {
    io.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...backends.map((b) => b.name.length));
  const lines = [
    `maskgrad ${info.version}`,
    `node     ${info.node}`,
    '',
    'backends, in order of preference:',
    ...backends.map((b) => `  ${b.name.padEnd(width)}  ${b.available ? 'yes' : 'no '}  ${b.reason}${OPT_IN_BACKENDS.includes(b.name) ? ` (only when asked for: --backend ${b.name})` : ''}`),
    '',
    `auto selects: ${auto}`,
    '',
    `default model: ${model.path}${model.present ? '' : ' (missing: run npm run train)'}`,
    ...(model.labels ? [`  a ViT trained by maskgrad itself (npm run train); classes ${model.labels.join(', ')}`] : []),
    ...(model.testAccuracy !== null ? [`  test accuracy ${(100 * model.testAccuracy).toFixed(1)}% on held-out images (training.json)`] : []),
    `  adversarial-image detector (maskgrad detect): ${model.detector ? 'detector.json' : 'none yet'}`,
  ];
  if (env !== undefined) lines.push(`MASKGRAD_BACKEND=${env}: commands use it when --backend is not given`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
