// The safetensors format (https://github.com/huggingface/safetensors), read and written in plain
// TypeScript so that it runs in a browser as well as in Node:
//
//   [8 bytes: header length N, u64 little-endian][N bytes: JSON header][raw little-endian data]
//
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } with offsets
// relative to the start of the data section; the optional `__metadata__` entry maps strings to
// strings. Parsing validates the header against the file's size up front and copies nothing:
// `read(name)` decodes one tensor from the caller's bytes into a fresh Float32Array.

import { CheckpointError, describeJsonValue } from './errors.js';
import { decodeToFloat32, SAFETENSORS_DTYPE_BYTES, type SafetensorsDtype } from './safetensors-dtype.js';

export { halfToFloat, bfloat16ToFloat, SAFETENSORS_DTYPE_BYTES, type SafetensorsDtype } from './safetensors-dtype.js';

/** Where one tensor lives; `begin`/`end` are byte offsets into the data section, as in the file. */
export interface SafetensorsTensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A parsed safetensors file. It keeps a reference to the bytes it was given (no copy). */
export interface Safetensors {
  /** The name used in error messages (a path, or `<memory>`). */
  fileName: string;
  /** The header's `__metadata__` (string to string), `{}` when absent. */
  metadata: Record<string, string>;
  /** Every tensor in the file, in header order. */
  tensors: Map<string, SafetensorsTensorInfo>;
  /** Decodes one tensor, whatever its dtype, into a new Float32Array (row-major, as stored). */
  read(name: string): Float32Array;
}

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;

const REDOWNLOAD_HINT = 'The file is truncated or corrupt: download or export it again.';

/** Parses a safetensors file held in memory; throws CheckpointError on any inconsistency. */
export function parseSafetensors(input: Uint8Array | ArrayBuffer, fileName = '<memory>'): Safetensors {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const fail = (key: string | undefined, expected: string, found: string, hint = REDOWNLOAD_HINT): never => {
    throw new CheckpointError({ file: fileName, key, expected, found, hint });
  };

  if (bytes.byteLength < 8) {
    fail(undefined, 'at least 8 bytes (the header length)', `a file of ${bytes.byteLength} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.byteLength - 8)) {
    fail(
      'header length',
      `at most ${bytes.byteLength - 8} (the bytes after the 8-byte length)`,
      `${headerLength}`,
      `${REDOWNLOAD_HINT} If it is not a safetensors file at all, check the path.`,
    );
  }
  const headerBytes = Number(headerLength);
  if (headerBytes > MAX_HEADER_BYTES) {
    fail('header length', `at most ${MAX_HEADER_BYTES} bytes`, `${headerBytes}`);
  }
  const header = parseHeaderJson(bytes.subarray(8, 8 + headerBytes), fileName);

  const dataStart = 8 + headerBytes;
  const dataLength = bytes.byteLength - dataStart;
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, fileName);
      continue;
    }
    const info = parseTensorEntry(name, entry, fileName);
    if (info.end > dataLength) {
      fail(
        name,
        `data_offsets within the ${dataLength}-byte data section`,
        `[${info.begin}, ${info.end}], past the end by ${info.end - dataLength} bytes`,
      );
    }
    tensors.set(name, info);
  }

  const read = (name: string): Float32Array => {
    const info = tensors.get(name);
    if (info === undefined) {
      const some = [...tensors.keys()].slice(0, 5).map((k) => `'${k}'`);
      fail(
        name,
        'the name of a tensor stored in this file',
        'no such tensor',
        tensors.size === 0
          ? 'The file holds no tensors.'
          : `It holds ${tensors.size} tensors, for example ${some.join(', ')}; check the checkpoint layout (Hugging Face or timm).`,
      );
    }
    const { dtype, shape, begin, end } = info!;
    return decodeToFloat32(dtype, bytes.subarray(dataStart + begin, dataStart + end), elementCount(shape));
  };

  return { fileName, metadata, tensors, read };
}

/** Number of elements of a tensor with this shape (1 for a scalar, whose shape is `[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function parseHeaderJson(headerBytes: Uint8Array, fileName: string): Record<string, unknown> {
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (cause) {
    throw new CheckpointError({
      file: fileName, key: 'header', expected: 'UTF-8 JSON', found: 'bytes that are not valid UTF-8',
      hint: `${REDOWNLOAD_HINT} If it is not a safetensors file at all, check the path.`, cause,
    });
  }
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CheckpointError({
      file: fileName, key: 'header', expected: 'valid JSON',
      found: `${(cause as Error).message} in ${JSON.stringify(text.slice(0, 40))}...`,
      hint: `${REDOWNLOAD_HINT} If it is not a safetensors file at all, check the path.`, cause,
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CheckpointError({
      file: fileName, key: 'header', expected: 'a JSON object', found: describeJsonValue(json),
      hint: REDOWNLOAD_HINT,
    });
  }
  return json as Record<string, unknown>;
}

function parseMetadata(entry: unknown, fileName: string): Record<string, string> {
  const fail = (found: string): never => {
    throw new CheckpointError({
      file: fileName, key: '__metadata__', expected: 'an object mapping strings to strings', found,
      hint: 'Rewrite the checkpoint with string metadata values (safetensors requires them).',
    });
  };
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(describeJsonValue(entry));
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`${describeJsonValue(v)} at key '${k}'`);
    metadata[k] = v as string;
  }
  return metadata;
}

function parseTensorEntry(name: string, entry: unknown, fileName: string): SafetensorsTensorInfo {
  const fail = (expected: string, found: string, hint = REDOWNLOAD_HINT): never => {
    throw new CheckpointError({ file: fileName, key: name, expected, found, hint });
  };
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    fail('an object { dtype, shape, data_offsets }', describeJsonValue(entry));
  }
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;

  const dtypes = Object.keys(SAFETENSORS_DTYPE_BYTES);
  if (typeof dtype !== 'string' || !dtypes.includes(dtype)) {
    fail(
      `dtype one of ${dtypes.join(', ')}`,
      describeJsonValue(dtype),
      'Convert the checkpoint to F32, F16 or BF16 (in PyTorch: {k: v.float() for k, v in sd.items()}) and save it again.',
    );
  }
  const isCount = (d: unknown): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail('shape: an array of non-negative integers', `shape ${JSON.stringify(shape) ?? 'missing'}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    fail('data_offsets: [begin, end] with 0 <= begin <= end', `data_offsets ${JSON.stringify(offsets) ?? 'missing'}`);
  }
  const [begin, end] = offsets as [number, number];
  const itemBytes = SAFETENSORS_DTYPE_BYTES[dtype as SafetensorsDtype];
  const expectedBytes = elementCount(shape as number[]) * itemBytes;
  if (end - begin !== expectedBytes) {
    fail(
      `${expectedBytes} bytes (shape [${(shape as number[]).join(', ')}] x ${itemBytes}-byte ${dtype})`,
      `${end - begin} bytes (data_offsets [${begin}, ${end}])`,
    );
  }
  return { dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin, end };
}

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
