/**
 * Parsing and checking the command line, before anything is loaded:
 * node:util parseArgs in strict mode, with its errors reworded to name the
 * flag and what to do, and strict number parsing ('abc', '', '1x' are refused).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import { defaultModelPath } from '@maskgrad/models/node';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

export const BACKEND_CHOICES = ['auto', 'webgpu', 'headlessgl', 'webasm', 'cpu', 'webasm-threads'] as const;

/** True when the arguments ask for help (before a `--` that ends the options). */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Edit distance counting a swap of neighbours as one typo (dsic → disc), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate within a couple of typos, as ` Did you mean X?`, or ''. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? ` Did you mean ${best}?` : '';
}

/**
 * `--iterations -1` is ambiguous to parseArgs (is -1 a flag?); a negative
 * number after a flag that takes a value is that flag's value, so that the
 * range check, not the parser, explains what is wrong.
 */
function joinNegativeValues(args: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : '';
    if (options[name]?.type === 'string' && /^-\.?\d/.test(args[i + 1] ?? '')) {
      out.push(`${args[i]}=${args[++i]}`);
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

/** parseArgs in strict mode; its errors become UsageErrors that name the flag. */
export function parseCommand(
  command: string, args: readonly string[], options: OptionSpec, positionals: boolean,
): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: joinNegativeValues(args, options), options, allowPositionals: positionals, strict: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = (e as Error).message;
    const help = `Run 'maskgrad ${command} --help' for the options.`;
    const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const known = Object.keys(options).map((o) => `--${o}`);
      throw new UsageError(`unknown option '${flag}' for 'maskgrad ${command}'.${suggest(flag, known)} ${help}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const takesValue = options[flag.replace(/^-+/, '')]?.type === 'string';
      throw new UsageError(takesValue
        ? `${flag} needs a value (write ${flag} VALUE). ${help}`
        : `${flag} is a switch and takes no value (write just ${flag}). ${help}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec(message)?.[1] ?? '';
      throw new UsageError(`'maskgrad ${command}' takes no arguments, found '${arg}'. ${help}`);
    }
    throw new UsageError(`${message.replace(/\s*\n\s*/g, ' ')} ${help}`);
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * The value of a number flag, or undefined when absent; 'abc' is a UsageError naming the flag,
 * and so is a number too large for a double (1e309 would be Infinity).
 */
export function numberFlag(values: Values, name: string, command: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  if (!NUMBER.test(text)) {
    throw new UsageError(`--${name} expects a number, found '${String(raw)}'. See 'maskgrad ${command} --help'.`);
  }
  const n = Number(text);
  if (!Number.isFinite(n)) {
    throw new UsageError(`--${name} ${text} is not a finite number: it is beyond ±1.8e308, the largest a number can be. See 'maskgrad ${command} --help'.`);
  }
  return n;
}

/** A whole number from min to max, for flags the CLI checks itself (e.g. --top). */
export function wholeFlag(values: Values, name: string, command: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = numberFlag(values, name, command);
  if (n !== undefined && !(Number.isInteger(n) && n >= min && n <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} ${String(values[name])} is not allowed: use a whole number ${range}. See 'maskgrad ${command} --help'.`);
  }
  return n;
}

/** A flag restricted to a few words. */
export function choiceFlag<T extends string>(values: Values, name: string, choices: readonly T[]): T | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(String(raw))) {
    throw new UsageError(`--${name} '${String(raw)}' is not one of ${choices.join(', ')}.${suggest(String(raw), choices)}`);
  }
  return raw as T;
}

export function stringFlag(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * --model, or the built-in shapes model (packages/models/assets/shapes-vit)
 * when it is not given. A bare .safetensors file needs --config; the
 * built-in model is a folder, so --config alone is a usage error.
 */
export function modelFlag(values: Values, command: string, example: string): string {
  const model = stringFlag(values, 'model');
  if (model === '') {
    throw new UsageError(`--model is empty: pass a ViT checkpoint folder or file, or leave --model out to use the built-in model. For example: ${example}`);
  }
  if (model === undefined) {
    if (stringFlag(values, 'config') !== undefined) {
      throw new UsageError(`--config needs --model: it names the config of a bare .safetensors file passed with --model. For example: maskgrad ${command} ... --model vit.safetensors --config config.json`);
    }
    return defaultModelPath();
  }
  return model;
}

/** At least one image argument. */
export function requireImages(images: readonly string[], command: string, example: string): void {
  if (images.length === 0) {
    throw new UsageError(`missing image: 'maskgrad ${command}' needs one or more PNG or JPEG files. For example: ${example}`);
  }
}
