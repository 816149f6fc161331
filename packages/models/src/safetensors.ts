// The safetensors format (https://github.com/huggingface/safetensors), read and written in plain
// TypeScript so that it runs in a browser as well as in Node:
//
//   [8 bytes: header length N, u64 little-endian][N bytes: JSON header][raw little-endian data]
//
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } with offsets
// relative to the start of the data section; the optional `__metadata__` entry maps strings to
// strings. Parsing validates the header against the file's size up front and copies nothing:
// `read(name)` decodes one tensor from the caller's bytes into a fresh Float32Array. The header
// alone can be parsed first (`parseSafetensorsHeader`), so that a config can be checked against
// the tensors' shapes before the weights are read.

import { CheckpointError, describeJsonValue } from './errors.js';
import { MAX_SAFETENSORS_HEADER_BYTES } from './limits.js';
import { decodeToFloat32, elementCount, SAFETENSORS_DTYPE_BYTES, type SafetensorsDtype } from './safetensors-dtype.js';

export { halfToFloat, bfloat16ToFloat, elementCount, SAFETENSORS_DTYPE_BYTES, type SafetensorsDtype } from './safetensors-dtype.js';
export { writeSafetensors, type SafetensorsWriteEntry } from './safetensors-writer.js';

/** Where one tensor lives; `begin`/`end` are byte offsets into the data section, as in the file. */
export interface SafetensorsTensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A parsed safetensors header: where every tensor lives, without its data. */
export interface SafetensorsHeader {
  /** The name used in error messages (a path, or `<memory>`). */
  fileName: string;
  /** The header's `__metadata__` (string to string), `{}` when absent. */
  metadata: Record<string, string>;
  /** Every tensor in the file, in header order. */
  tensors: Map<string, SafetensorsTensorInfo>;
  /** Where the data section starts: 8 + the header length. */
  dataStart: number;
}

/** A parsed safetensors file. It keeps a reference to the bytes it was given (no copy). */
export interface Safetensors extends SafetensorsHeader {
  /** Decodes one tensor, whatever its dtype, into a new Float32Array (row-major, as stored). */
  read(name: string): Float32Array;
}

const REDOWNLOAD_HINT = 'The file is truncated or corrupt: download or export it again.';
const FORMAT_HINT = 'The safetensors format lays the tensors end to end, each byte belonging to exactly one tensor; ' +
  'this file breaks that (it was edited, or not written by a safetensors library): export it again.';

/** The header length in the first 8 bytes, checked against the file size and the cap before anything is read. */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize: number, fileName = '<memory>'): number {
  const fail = (key: string | undefined, expected: string, found: string, hint = REDOWNLOAD_HINT): never => {
    throw new CheckpointError({ file: fileName, key, expected, found, hint });
  };
  if (fileSize < 8 || first8.byteLength < 8) {
    fail(undefined, 'at least 8 bytes (the header length)', `a file of ${fileSize} bytes`);
  }
  const headerLength = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(fileSize - 8)) {
    fail(
      'header length',
      `at most ${fileSize - 8} (the bytes after the 8-byte length)`,
      `${headerLength}`,
      `${REDOWNLOAD_HINT} If it is not a safetensors file at all, check the path.`,
    );
  }
  if (headerLength > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    fail('header length', `at most ${MAX_SAFETENSORS_HEADER_BYTES} bytes`, `${headerLength}`);
  }
  return Number(headerLength);
}

/**
 * Parses and validates the header of a safetensors file of `fileSize` bytes from its first
 * 8 + N bytes (`prefix` may hold more). Enforces the format as the reference does: every tensor's
 * byte range matches its shape and dtype, and the ranges, sorted, tile the data section exactly
 * (no overlap, no hole, nothing past the end or left over).
 */
export function parseSafetensorsHeader(prefix: Uint8Array, fileSize: number, fileName = '<memory>'): SafetensorsHeader {
  const headerBytes = safetensorsHeaderLength(prefix, fileSize, fileName);
  if (prefix.byteLength < 8 + headerBytes) {
    throw new CheckpointError({
      file: fileName, key: 'header', expected: `${headerBytes} bytes of JSON`, found: `${prefix.byteLength - 8}`,
      hint: 'internal: pass the whole header',
    });
  }
  const header = parseHeaderJson(prefix.subarray(8, 8 + headerBytes), fileName);
  const dataStart = 8 + headerBytes;
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, fileName);
      continue;
    }
    tensors.set(name, parseTensorEntry(name, entry, fileName));
  }
  checkTiling(tensors, fileSize - dataStart, fileName);
  return { fileName, metadata, tensors, dataStart };
}

/** Parses a safetensors file held in memory; throws CheckpointError on any inconsistency. */
export function parseSafetensors(input: Uint8Array | ArrayBuffer, fileName = '<memory>'): Safetensors {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const header = parseSafetensorsHeader(bytes, bytes.byteLength, fileName);
  const { tensors, dataStart } = header;

  const read = (name: string): Float32Array => {
    const info = tensors.get(name);
    if (info === undefined) {
      const some = [...tensors.keys()].slice(0, 5).map((k) => `'${k}'`);
      throw new CheckpointError({
        file: fileName, key: name, expected: 'the name of a tensor stored in this file', found: 'no such tensor',
        hint: tensors.size === 0
          ? 'The file holds no tensors.'
          : `It holds ${tensors.size} tensors, for example ${some.join(', ')}; check the checkpoint layout (Hugging Face or timm).`,
      });
    }
    const { dtype, shape, begin, end } = info;
    return decodeToFloat32(dtype, bytes.subarray(dataStart + begin, dataStart + end), elementCount(shape));
  };

  return { ...header, read };
}

/**
 * The tensors' byte ranges, sorted by offset, must start at 0, follow each other without gap or
 * overlap, and end exactly at the end of the data section (huggingface/safetensors `validate`).
 */
function checkTiling(tensors: Map<string, SafetensorsTensorInfo>, dataLength: number, fileName: string): void {
  const fail = (key: string, expected: string, found: string, hint = FORMAT_HINT): never => {
    throw new CheckpointError({ file: fileName, key, expected, found, hint });
  };
  for (const [name, { begin, end }] of tensors) {
    if (end > dataLength) {
      fail(name, `data_offsets within the ${dataLength}-byte data section`, `[${begin}, ${end}], past the end by ${end - dataLength} bytes`, REDOWNLOAD_HINT);
    }
  }
  // overlaps first (they change what a tensor reads), then holes
  const ranges = [...tensors].sort(([, a], [, b]) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    const [[before, a], [name, { begin, end }]] = [ranges[i - 1]!, ranges[i]!];
    if (begin < a.end) fail(name, `data_offsets starting at ${a.end}, where '${before}' ends`, `[${begin}, ${end}], which overlaps '${before}' [${a.begin}, ${a.end}]`);
  }
  let at = 0;
  let previous = '';
  for (const [name, { begin, end }] of ranges) {
    if (begin > at) {
      fail(name, `data_offsets starting at ${at}, ${previous === '' ? 'the start of the data section' : `where '${previous}' ends`}`, `[${begin}, ${end}], leaving bytes ${at} to ${begin} unused (a hole)`);
    }
    at = end;
    previous = name;
  }
  if (at !== dataLength) {
    fail(
      previous === '' ? 'data section' : previous,
      `the tensors to end where the file ends (${dataLength} bytes of data)`,
      previous === '' ? `${dataLength} bytes, and no tensor in the header` : `${dataLength - at} bytes after the last tensor`,
    );
  }
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
