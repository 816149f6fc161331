/**
 * maskgrad: the command-line entry. Picks the command, prints help and the
 * version, and turns errors into exit codes (0 ok, 2 bad usage or input,
 * 1 unexpected failure; see errors.ts).
 */
import { suggest, wantsHelp } from './args.js';
import * as attack from './commands/attack.js';
import * as classify from './commands/classify.js';
import * as detect from './commands/detect.js';
import * as evaluate from './commands/eval.js';
import * as explain from './commands/explain.js';
import * as info from './commands/info.js';
import { EXIT_USAGE, reportError, UsageError } from './errors.js';
import { cliVersion } from './version.js';

interface Command {
  summary: string;
  help: string;
  run: (args: readonly string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = { classify, explain, attack, detect, eval: evaluate, info };

const HELP = `Usage: maskgrad <command> [options]

Explain Vision Transformer classifications by meaningful perturbation
(Fong & Vedaldi 2017): learn the smallest region of an image whose blurring
destroys the model's evidence for a class.

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
             MASKGRAD_PROGRESS=1 prints progress lines when stderr is not a terminal.
`;

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(HELP);
    return EXIT_USAGE;
  }
  if (first === '-h' || first === '--help' || (first === 'help' && rest.length === 0)) {
    process.stdout.write(HELP);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`${cliVersion()}\n`);
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
    process.stdout.write(command.help);
    return 0;
  }
  return command.run(rest);
}

const argv = process.argv.slice(2);
let code: number;
try {
  code = await main(argv);
} catch (e) {
  code = reportError(e, argv[0] === undefined || argv[0].startsWith('-') ? '' : argv[0]);
}
// Let buffered output reach a pipe, then exit: a probed GPU adapter can keep the event loop alive.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
