// Node-only: load a safetensors checkpoint from disk. `readSafetensorsHeaderFile` reads only the
// 8-byte length and the JSON header (cheap: a config can be checked against the tensors' shapes
// before the weights are read); `readSafetensorsFile` reads the whole file once into memory and
// parses it in place (no second copy); tensors are decoded on demand by `read(name)`. Only
// regular files up to MAX_CHECKPOINT_FILE_BYTES are read.

import { closeSync } from 'node:fs';
import { CheckpointError } from '../errors.js';
import { MAX_CHECKPOINT_FILE_BYTES } from '../limits.js';
import { parseSafetensors, parseSafetensorsHeader, safetensorsHeaderLength, type Safetensors, type SafetensorsHeader } from '../safetensors.js';
import { openRegularFile, readExactly, readRegularFile, type FileBounds } from './read-file.js';

const BOUNDS: FileBounds = {
  what: 'a safetensors file',
  maxBytes: MAX_CHECKPOINT_FILE_BYTES,
  error: (details) => new CheckpointError(details),
  missingHint: 'Check the path; a Hugging Face checkpoint folder holds model.safetensors next to config.json.',
  directoryHint: 'Pass the .safetensors file inside it (usually model.safetensors).',
};

/** Reads and validates the header of `path` (not the weights); every error is a CheckpointError naming the path. */
export function readSafetensorsHeaderFile(path: string): SafetensorsHeader {
  const { fd, size } = openRegularFile(path, BOUNDS);
  try {
    const first8 = readExactly(fd, 0, Math.min(8, size), path, BOUNDS);
    const length = safetensorsHeaderLength(first8, size, path);
    const prefix = Buffer.concat([first8, readExactly(fd, 8, length, path, BOUNDS)]);
    return parseSafetensorsHeader(prefix, size, path);
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses `path`; every error is a CheckpointError that names the path. */
export function readSafetensorsFile(path: string): Safetensors {
  const buffer = readRegularFile(path, BOUNDS);
  // A plain Uint8Array view of the Buffer's memory: parse it without copying.
  return parseSafetensors(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path);
}
