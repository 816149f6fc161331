/**
 * The CLI's two kinds of failure and their exit codes:
 *   2  bad usage or bad input: the user can fix the command line or the files
 *   1  an unexpected failure while running
 * Input errors come from this package (UsageError) and from the libraries
 * (OptionError, CheckpointError, ImageError); each message already names the
 * flag, file or key, so the CLI only rewords option names as flags. A NonFiniteError (a run
 * that produced NaN) is a failure while running (1) whose message says where and why.
 */
import type { Io } from './io.js';

/** A command line that cannot run as written: unknown flag, missing value, a value out of range. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Errors the user can fix, by name (the libraries' classes are matched by name, not identity). */
const INPUT_ERRORS = new Set(['UsageError', 'OptionError', 'CheckpointError', 'ImageError', 'OutputError', 'HubError']);
/** Failures while running that the message already explains (exit 1, no stack trace to offer). */
const KNOWN_FAILURES = new Set(['NonFiniteError']);

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function exitCodeFor(e: unknown): number {
  return e instanceof Error && INPUT_ERRORS.has(e.name) ? EXIT_USAGE : EXIT_FAILURE;
}

/** `maskSize` → `--mask-size`: the flag that sets an ExplainOptions key. */
export function flagOf(optionKey: string): string {
  return `--${optionKey.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * OptionError says `invalid option maskSize: 0; a whole number from 2 to ...`;
 * on the command line the user typed --mask-size, so name that instead.
 */
function optionErrorMessage(e: Error & { option?: unknown; value?: unknown; allowed?: unknown }, command: string): string {
  const option = String(e.option);
  const allowed = typeof e.allowed === 'string' ? e.allowed : e.message;
  const value = typeof e.value === 'string' ? `'${e.value}'` : typeof e.value === 'number' ? String(e.value) : JSON.stringify(e.value);
  return `${flagOf(option)} ${value} is not allowed: use ${allowed}. See 'maskgrad ${command} --help'.`;
}

/** One paragraph: what was wrong and what to do. */
export function describeError(e: unknown, command: string): string {
  if (!(e instanceof Error)) return `unexpected failure: ${String(e)}`;
  if (e.name === 'OptionError') return optionErrorMessage(e, command);
  const text = e.message.replace(/\s*\n\s*/g, ' ').trim();
  return exitCodeFor(e) === EXIT_USAGE || KNOWN_FAILURES.has(e.name) ? text : `unexpected failure: ${text}`;
}

/** Print the error to stderr (with the stack when MASKGRAD_DEBUG=1) and return the exit code. */
export function reportError(e: unknown, command: string, io: Io): number {
  const code = exitCodeFor(e);
  io.stderr.write(`maskgrad: error: ${describeError(e, command)}\n`);
  if (process.env.MASKGRAD_DEBUG === '1' && e instanceof Error && e.stack) {
    io.stderr.write(`${e.stack}\n`);
  } else if (code === EXIT_FAILURE && !(e instanceof Error && KNOWN_FAILURES.has(e.name))) {
    io.stderr.write('Set MASKGRAD_DEBUG=1 to see the stack trace.\n');
  }
  return code;
}
