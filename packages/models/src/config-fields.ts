// Typed reads of fields from a parsed JSON config. Each failed read throws a CheckpointError that
// names the file, the field, the expected type and the value found, so that a user can fix the
// file by hand. Defaults are the ones of the library that wrote the file (transformers, timm).

import { CheckpointError, describeJsonValue } from './errors.js';

/** Accepts a parsed JSON value or its text; returns it as an object or throws CheckpointError. */
export function asJsonObject(json: unknown, file: string): Record<string, unknown> {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new CheckpointError({
        file, expected: 'valid JSON', found: (cause as Error).message, cause,
        hint: 'Fix the syntax, or download the file again.',
      });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CheckpointError({
      file, expected: 'a JSON object', found: describeJsonValue(value),
      hint: 'Pass the contents of the config file, parsed or as text.',
    });
  }
  return value as Record<string, unknown>;
}

/** Reads typed fields from one JSON object; `file` is used in every error message. */
export class JsonFields {
  constructor(
    readonly json: Record<string, unknown>,
    readonly file: string,
  ) {}

  has(key: string): boolean {
    return this.json[key] !== undefined && this.json[key] !== null;
  }

  /** Throws for field `key`, describing the JSON value found there (`missing` when undefined). */
  fail(key: string, expected: string, found: unknown, hint?: string): never {
    const defaultHint = found === undefined ? `Add "${key}" to ${this.file}.` : `Fix "${key}" in ${this.file}.`;
    return this.failText(key, expected, describeJsonValue(found), hint ?? defaultHint);
  }

  /** Throws for field `key` with `found` already written as text. */
  failText(key: string, expected: string, found: string, hint = `Fix "${key}" in ${this.file}.`): never {
    throw new CheckpointError({ file: this.file, key, expected, found, hint });
  }

  /** A positive integer, e.g. a size; `fallback` is used when the field is absent or null. */
  positiveInt(key: string, fallback?: number): number {
    const v = this.json[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      this.fail(key, 'a positive integer', this.json[key]);
    }
    return v as number;
  }

  /** A positive number (an epsilon, a ratio). */
  positiveNumber(key: string, fallback?: number): number {
    const v = this.json[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(key, 'a positive number', this.json[key]);
    return v as number;
  }

  boolean(key: string, fallback?: boolean): boolean {
    const v = this.json[key] ?? fallback;
    if (typeof v !== 'boolean') this.fail(key, 'true or false', this.json[key]);
    return v as boolean;
  }

  string(key: string, fallback?: string): string {
    const v = this.json[key] ?? fallback;
    if (typeof v !== 'string') this.fail(key, 'a string', this.json[key]);
    return v as string;
  }

  /** A square size given as `n` or `[n, n]` (as transformers and timm both allow). */
  squareSize(key: string): number {
    const v = this.json[key];
    if (Array.isArray(v) && v.length === 2 && v[0] === v[1]) return this.withValue(key, v[0]).positiveInt(key);
    if (Array.isArray(v)) {
      this.failText(key, 'a square size: n or [n, n]', JSON.stringify(v), 'Only square inputs are supported.');
    }
    return this.positiveInt(key);
  }

  /** Per-channel values for R, G, B given as a number or 3 numbers (image mean or std). */
  rgb(key: string, fallback: readonly [number, number, number], positive = false): [number, number, number] {
    const v = this.json[key];
    if (v === undefined || v === null) return [...fallback];
    const values = typeof v === 'number' ? [v, v, v] : v;
    const ok = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0);
    if (!Array.isArray(values) || values.length !== 3 || !values.every(ok)) {
      this.fail(key, `3 ${positive ? 'positive ' : ''}numbers for R, G, B`, v);
    }
    return [values[0], values[1], values[2]] as [number, number, number];
  }

  private withValue(key: string, value: unknown): JsonFields {
    return new JsonFields({ ...this.json, [key]: value }, this.file);
  }
}
