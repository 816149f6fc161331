/**
 * What every method's options share: the error that names a bad option,
 * the number checks, and the options common to both methods. Below
 * options.ts and extremal/options.ts, so neither imports the other.
 */
export type Method = 'extremal' | 'meaningful';

/** A bad option: the message names the option, the value and what is allowed. */
export class OptionError extends Error {
  override readonly name = 'OptionError';
  constructor(readonly option: string, readonly value: unknown, allowed: string) {
    super(`invalid option ${option}: ${JSON.stringify(value)}; ${allowed}`);
  }
}

export function checkNumber(name: string, v: unknown, check: (x: number) => boolean, allowed: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new OptionError(name, v, allowed);
  return v;
}

export const isWhole = (x: number) => Number.isInteger(x);

/** A value from a few words, or an OptionError listing them. */
export function checkChoice<T extends string>(name: string, v: unknown, choices: readonly T[]): T {
  const quoted = choices.map((c) => `'${c}'`);
  const allowed = quoted.length === 1 ? quoted[0] : quoted.length === 2 ? `either ${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(', ').replace(/, ([^,]*)$/, ' or $1')}`;
  if (!(choices as readonly unknown[]).includes(v)) throw new OptionError(name, v, allowed);
  return v as T;
}

/** Options that apply to one method only: given for the other, they are an error rather than silently ignored. */
export function rejectForeign(o: object, names: readonly string[], method: Method): void {
  for (const name of names) {
    const v = (o as Record<string, unknown>)[name];
    if (v !== undefined) {
      const other = method === 'extremal' ? 'meaningful' : 'extremal';
      throw new OptionError(name, v, `no ${name} here: it belongs to method '${other}', and this explanation uses method '${method}' (leave it out, or set method: '${other}')`);
    }
  }
}
