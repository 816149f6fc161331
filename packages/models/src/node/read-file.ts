// Node-only: reading an input file with bounds. Only regular files are read (not /dev/zero, a
// named pipe, a socket or a directory, which can be endless or block forever), their size is
// checked against a cap before anything is allocated, and they are read whole or not at all.
// The file is opened without blocking (a FIFO would otherwise wait for a writer) and checked
// through the open descriptor, so it cannot be swapped for something else in between.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { formatBytes } from '../limits.js';
import type { FileErrorDetails } from '../errors.js';

export interface FileBounds {
  /** What the file should be, for messages: `an image file (PNG or JPEG)`. */
  what: string;
  maxBytes: number;
  /** Builds the error to throw (CheckpointError or ImageError). */
  error: (details: FileErrorDetails) => Error;
  /** Advice when nothing is at the path (default: check the path). */
  missingHint?: string;
  /** Advice when the path is a directory. */
  directoryHint?: string;
}

/** `a directory`, `a character device (such as /dev/zero)`, ... for the `found` part of a message. */
export function describeFileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device (such as /dev/zero), which may never end';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO), which may never end';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** An open regular file of at most `bounds.maxBytes`; close it with `closeSync(fd)`. */
export function openRegularFile(path: string, bounds: FileBounds): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'a file you may not read' : `${code ?? 'error'}: ${(cause as Error).message}`;
    const hint = code === 'ENOENT' ? bounds.missingHint ?? 'Check the path.' : 'Check the path and the file permissions.';
    throw bounds.error({ file: path, expected: bounds.what, found, hint, cause });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const hint = st.isDirectory() && bounds.directoryHint !== undefined ? bounds.directoryHint : 'Pass the path of a regular file.';
      throw bounds.error({ file: path, expected: bounds.what, found: describeFileKind(st), hint });
    }
    if (st.size > bounds.maxBytes) {
      throw bounds.error({
        file: path, expected: `${bounds.what} of at most ${formatBytes(bounds.maxBytes)}`, found: formatBytes(st.size),
        hint: 'maskgrad refuses larger files before reading them; check the path.',
      });
    }
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads exactly `length` bytes at `position`; a file that ends early is an error naming it. */
export function readExactly(fd: number, position: number, length: number, path: string, bounds: FileBounds): Buffer {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, position + done);
    if (n === 0) {
      throw bounds.error({
        file: path, expected: `${length} bytes from byte ${position}`, found: `the file ends after ${done}`,
        hint: 'The file changed while it was read, or is truncated; read it again when it is complete.',
      });
    }
    done += n;
  }
  return out;
}

/** The whole content of a regular file of at most `bounds.maxBytes`. */
export function readRegularFile(path: string, bounds: FileBounds): Buffer {
  const { fd, size } = openRegularFile(path, bounds);
  try {
    return readExactly(fd, 0, size, path, bounds);
  } finally {
    closeSync(fd);
  }
}
