/**
 * maskgrad's command dispatch, callable in-process: main(argv, io) runs one command line with
 * its output on `io` and returns the exit code (0 ok, 2 bad usage or input, 1 a failure while
 * running; see errors.ts). index.ts, the binary, calls it with the process's streams.
 */
import { suggest, wantsHelp } from './args.js';
import * as attack from './commands/attack.js';
import * as classify from './commands/classify.js';
import * as detect from './commands/detect.js';
import * as evaluate from './commands/eval.js';
import * as explain from './commands/explain.js';
import * as info from './commands/info.js';
import { EXIT_USAGE, reportError, UsageError } from './errors.js';
import { processIo, type Io } from './io.js';
import { cliVersion } from './version.js';

interface Command {
  summary: string;
  help: string;
  run: (args: readonly string[], io: Io) => Promise<number>;
}

const COMMANDS: Record<string, Command> = { classify, explain, attack, detect, eval: evaluate, info };

const HELP = `Usage: maskgrad <command> [options]

Explain Vision Transformer classifications by perturbation: learn the
region of an image that keeps (or whose blurring destroys) the model's
evidence for a class. Extremal perturbations (Fong, Patrick & Vedaldi 2019)
by default, meaningful perturbation (Fong & Vedaldi 2017) on request.

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     show this help; 'maskgrad <command> --help' shows a command's options
  -v, --version  print the version

Every command uses the built-in shapes model unless --model names a checkpoint.

Examples:
  maskgrad explain shape.png                  (built-in model; writes explained/shape/)
  maskgrad classify cat.png --model ./vit-base-patch16-224
  maskgrad explain cat.png --model ./vit-base-patch16-224 --out explained/cat
  maskgrad attack cat.png --model ./vit-base-patch16-224 --eps 8/255 --out adv/cat
  maskgrad detect adv/shape/adversarial.png   (the built-in model's adversarial detector)
  maskgrad eval --images 50
  maskgrad info

Exit status: 0 success, 2 bad usage or bad input, 1 unexpected failure.
Environment: MASKGRAD_BACKEND sets the default backend;
             MASKGRAD_DEBUG=1 prints stack traces;
             MASKGRAD_PROGRESS=1 prints progress lines when stderr is not a terminal;
             MASKGRAD_MATMUL_THREADS=N runs webasm's large matmuls on N threads (default 1).
`;

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(HELP);
    return EXIT_USAGE;
  }
  if (first === '-h' || first === '--help' || (first === 'help' && rest.length === 0)) {
    io.stdout.write(HELP);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${cliVersion()}\n`);
    return 0;
  }
  const name = first === 'help' ? rest[0] : first;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const names = Object.keys(COMMANDS);
    const what = name.startsWith('-') ? `unknown option '${name}'` : `unknown command '${name}'`;
    throw new UsageError(`${what}.${suggest(name, names)} The commands are ${names.join(', ')}; run 'maskgrad --help' for usage.`);
  }
  if (first === 'help' || wantsHelp(rest)) {
    io.stdout.write(command.help);
    return 0;
  }
  return command.run(rest, io);
}

/** Run one command line; errors become a one-line message on io.stderr and an exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    return reportError(e, argv[0] === undefined || argv[0].startsWith('-') ? '' : argv[0], io);
  }
}
