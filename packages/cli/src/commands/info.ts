/**
 * maskgrad info: versions, and every compute backend with whether it runs
 * here and why (probed for real, not guessed), and which one auto picks.
 */
import { setBackend } from '@maskgrad/autograd';
import { probeBackends } from '@maskgrad/kernels';
import { parseCommand, type OptionSpec } from '../args.js';
import { cliVersion } from '../version.js';

export const summary = 'show versions and which compute backends work here';

export const help = `Usage: maskgrad info [--json]

Show the maskgrad and Node versions, every compute backend (webgpu,
headlessgl, webasm, cpu) with whether it can run here and why, and the one
that --backend auto selects.

Options:
  --json       print one JSON document on stdout
  -h, --help   show this help
`;

const OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseCommand('info', args, OPTIONS, false);
  const backends = await probeBackends();
  const auto = setBackend('auto').name;
  const env = process.env.MASKGRAD_BACKEND;
  const info = { version: cliVersion(), node: process.version, backends, auto, MASKGRAD_BACKEND: env ?? null };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...backends.map((b) => b.name.length));
  const lines = [
    `maskgrad ${info.version}`,
    `node     ${info.node}`,
    '',
    'backends, in order of preference:',
    ...backends.map((b) => `  ${b.name.padEnd(width)}  ${b.available ? 'yes' : 'no '}  ${b.reason}`),
    '',
    `auto selects: ${auto}`,
  ];
  if (env !== undefined) lines.push(`MASKGRAD_BACKEND=${env}: commands use it when --backend is not given`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
