// Helpers for the loadModel tests: broken checkpoints made from the shapes-vit-hf fixture in a
// temporary folder, and a check of what a CheckpointError's message says.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { CheckpointError } from '../errors.js';
import { parseSafetensors, writeSafetensors, type SafetensorsWriteEntry } from '../safetensors.js';

export const fixture = (rel: string): string => fileURLToPath(new URL(`../../../../tests/fixtures/${rel}`, import.meta.url));
export const SHAPES = fixture('shapes-vit-hf');
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8'));

const shapesConfig = readJson(join(SHAPES, 'config.json'));
const shapesPreprocessor = readJson(join(SHAPES, 'preprocessor_config.json'));
export const shapesTensors: Record<string, SafetensorsWriteEntry> = (() => {
  const st = parseSafetensors(readFileSync(join(SHAPES, 'model.safetensors')));
  return Object.fromEntries([...st.tensors].map(([key, info]) => [key, { shape: info.shape, data: st.read(key) }]));
})();

export const root = mkdtempSync(join(tmpdir(), 'maskgrad-load-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface CheckpointParts {
  /** Edit a copy of the tensors; the result is written as model.safetensors. */
  tensors?: (t: Record<string, SafetensorsWriteEntry>) => void;
  /** Edit the written bytes (header surgery, truncation). */
  bytes?: (b: Uint8Array) => Uint8Array;
  /** Edit a copy of config.json; null writes no config. */
  config?: ((c: Record<string, unknown>) => void) | null;
  /** Edit a copy of preprocessor_config.json. */
  preprocessor?: (p: Record<string, unknown>) => void;
  /** false: write no model.safetensors. */
  weights?: boolean;
}

/** A checkpoint folder under the temp root: the shapes model with the given edits. */
export function checkpoint(name: string, parts: CheckpointParts = {}): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (parts.weights !== false) {
    const tensors = { ...shapesTensors };
    parts.tensors?.(tensors);
    let bytes = writeSafetensors(tensors);
    if (parts.bytes) bytes = parts.bytes(bytes);
    writeFileSync(join(dir, 'model.safetensors'), bytes);
  }
  if (parts.config !== null) {
    const config = structuredClone(shapesConfig);
    parts.config?.(config);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const preprocessor = structuredClone(shapesPreprocessor);
    parts.preprocessor?.(preprocessor);
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(preprocessor));
  }
  return dir;
}

/** Rewrites a safetensors header (the JSON between the length prefix and the data). */
export function editHeader(bytes: Uint8Array, edit: (header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const data = bytes.subarray(8 + n);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Runs `load`, which must throw a CheckpointError, and checks what its message says. */
export function expectLoadError(
  load: () => unknown,
  want: { file: string; key?: string; expected: string | RegExp; found: string | RegExp },
): CheckpointError {
  let error: unknown;
  let result: unknown;
  try {
    result = load();
  } catch (e) {
    error = e;
  }
  expect(result, 'nothing may be returned').toBeUndefined();
  expect(error).toBeInstanceOf(CheckpointError);
  const e = error as CheckpointError;
  expect(e.file).toBe(want.file);
  expect(e.message).toContain(want.file);
  if (want.key !== undefined) {
    expect(e.key).toBe(want.key);
    expect(e.message).toContain(`${want.file}: ${want.key}`);
  }
  const match = (text: string | undefined, pattern: string | RegExp) =>
    typeof pattern === 'string' ? expect(text).toContain(pattern) : expect(text).toMatch(pattern);
  match(e.expected, want.expected);
  match(e.found, want.found);
  expect(e.message).toContain(`expected ${e.expected}`);
  expect(e.message).toContain(`found ${e.found}`);
  return e;
}

export const weightsOf = (dir: string) => join(dir, 'model.safetensors');
export const configOf = (dir: string) => join(dir, 'config.json');

