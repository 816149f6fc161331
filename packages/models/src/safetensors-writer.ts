// Writing the safetensors format (see safetensors.ts for the layout): float32 tensors, keys
// sorted, laid end to end, the header padded to a multiple of 8 bytes as the reference writer does.

import { CheckpointError } from './errors.js';
import { elementCount } from './safetensors-dtype.js';

/** A tensor to write: float32 data in row-major order and its shape. */
export interface SafetensorsWriteEntry {
  shape: number[];
  data: Float32Array;
}

/**
 * Serializes float32 tensors as a safetensors file: keys sorted, dtype F32, the JSON header padded
 * with spaces so that the data section starts at a multiple of 8 bytes (as the reference writer does).
 */
export function writeSafetensors(
  tensors: Record<string, SafetensorsWriteEntry>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name]!;
    if (name === '__metadata__') {
      throw new CheckpointError({
        file: '<writeSafetensors>', key: name, expected: 'a tensor name', found: 'the reserved name __metadata__',
        hint: 'Pass metadata as the second argument instead.',
      });
    }
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || elementCount(shape) !== data.length) {
      throw new CheckpointError({
        file: '<writeSafetensors>', key: name,
        expected: `data of ${elementCount(shape)} elements for shape [${shape.join(', ')}]`,
        found: `${data.length} elements`, hint: 'Fix the shape or the data passed for this tensor.',
      });
    }
    header[name] = { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }

  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(headerBytes);
    headerBytes = withSpaces;
  }

  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors[name]!;
    for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i]!, true);
    at += data.byteLength;
  }
  return out;
}
