/**
 * What every method's options share: the error that names a bad option,
 * the number checks, and the options common to both methods. Below
 * options.ts and extremal/options.ts, so neither imports the other.
 */
export type Method = 'extremal' | 'meaningful';

/** An option's value as written: numbers as numbers (1e309 is Infinity, not JSON's null), the rest as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
}

/** A bad option: the message names the option, the value and what is allowed. */
export class OptionError extends Error {
  override readonly name = 'OptionError';
  constructor(readonly option: string, readonly value: unknown, readonly allowed: string) {
    super(`invalid option ${option}: ${showValue(value)}; ${allowed}`);
  }
}

/**
 * Bounds that keep the objective finite and meaningful in float32: the probability term is at
 * most 1, and next to a weight above 1e6 times a mask term it is lost to rounding (float32 has
 * 24 bits), so the mask would no longer see the class at all.
 */
export const LIMITS = { weight: 1e6, tvBeta: 10 };

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
