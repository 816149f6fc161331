// Helpers for the safetensors tests: a file built by hand, and a check that a call throws a
// CheckpointError.
import { expect } from 'vitest';
import { CheckpointError } from './errors.js';

/** A safetensors file from a header (object or raw text) and a data section. */
export function build(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

export function catchCheckpointError(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError, nothing was thrown');
}
