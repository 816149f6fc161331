// Node-only: load a safetensors checkpoint from disk. The file is read once into memory and
// parsed in place (no second copy); tensors are decoded on demand by `read(name)`.

import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.js';
import { parseSafetensors, type Safetensors } from '../safetensors.js';

/** Reads and parses `path`; every error is a CheckpointError that names the path. */
export function readSafetensorsFile(path: string): Safetensors {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CheckpointError({
        file: path, expected: 'a safetensors file', found: 'no such file', cause,
        hint: 'Check the path; a Hugging Face checkpoint folder holds model.safetensors next to config.json.',
      });
    }
    if (code === 'EISDIR') {
      throw new CheckpointError({
        file: path, expected: 'a safetensors file', found: 'a directory', cause,
        hint: 'Pass the .safetensors file inside it (usually model.safetensors).',
      });
    }
    throw new CheckpointError({
      file: path, expected: 'a readable safetensors file', found: `${code ?? 'error'}: ${(cause as Error).message}`,
      cause, hint: 'Check the file permissions and that the disk is readable.',
    });
  }
  // A plain Uint8Array view of the Buffer's memory: parse it without copying.
  return parseSafetensors(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path);
}
