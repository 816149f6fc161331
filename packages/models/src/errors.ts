// Typed errors for everything read from disk or from the network: checkpoints, configs, images.
// Every message names where the problem is (file, key), what was expected, what was found, and
// what to do about it, so that a user can fix the input without reading our source.

/** The parts of a file-format error; every part is optional, the message skips missing ones. */
export interface FileErrorDetails {
  /** The file (path or display name) being read. */
  file?: string;
  /** The key, field or tensor name inside the file. */
  key?: string;
  /** What a valid file has there. */
  expected?: string;
  /** What this file has there. */
  found?: string;
  /** What the user can do about it. */
  hint?: string;
  /** The lower-level error that caused this one (JSON parser, fs, codec). */
  cause?: unknown;
}

/**
 * Composes `file: key: expected E, found F. hint` from the parts that are present.
 * Exported so that each error class in this package reads the same way.
 */
export function formatFileError(details: FileErrorDetails): string {
  const where = [details.file, details.key].filter((s) => s !== undefined && s !== '').join(': ');
  const what: string[] = [];
  if (details.expected !== undefined) what.push(`expected ${details.expected}`);
  if (details.found !== undefined) what.push(`found ${details.found}`);
  let message = where;
  if (what.length > 0) message += (message ? ': ' : '') + what.join(', ');
  if (message === '') message = 'invalid input';
  if (details.hint !== undefined && details.hint !== '') {
    message += (/[.!?]$/.test(message) ? ' ' : '. ') + details.hint;
  }
  return message;
}

/** A file that cannot be used: which file, which key, what was expected and found, what to do. */
export class FileError extends Error {
  readonly file?: string;
  readonly key?: string;
  readonly expected?: string;
  readonly found?: string;
  readonly hint?: string;

  constructor(details: FileErrorDetails) {
    super(formatFileError(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.file = details.file;
    this.key = details.key;
    this.expected = details.expected;
    this.found = details.found;
    this.hint = details.hint;
  }
}

/** A checkpoint (safetensors) or model config that cannot be used, and why. */
export class CheckpointError extends FileError {
  override readonly name = 'CheckpointError';
}

/** An image file that cannot be decoded or written, and why. */
export class ImageError extends FileError {
  override readonly name = 'ImageError';
}

/** A model on the Hugging Face Hub that cannot be had: not found, gated, offline and not cached, corrupt. */
export class HubError extends FileError {
  override readonly name = 'HubError';
}

/**
 * A short description of a JSON value for the `found` part of a message:
 * `missing`, `null`, `string "gelu_fast"`, `number 3.5`, `array of 2 items`, `object`.
 */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** Where a computation produced NaN or ±Infinity, and what to do about it. */
export interface NonFiniteDetails {
  /** What is not finite, e.g. `the probability f_c(Φ(x; M))`. */
  what: string;
  value: number;
  /** 0-based step of an optimisation, when there is one. */
  iteration?: number;
  iterations?: number;
  /** Which image of the batch (0-based), when it is one image's. */
  image?: number;
  hint: string;
  /**
   * The weights are the suspect (finite weights whose activations overflow float32): the
   * message ends by asking to check the checkpoint, named by its path when it is known.
   */
  checkWeights?: boolean;
}

/** What the message names instead of indices: the images' files, the checkpoint's weights file. */
export interface NonFiniteNames {
  images?: readonly string[];
  checkpoint?: string;
}

/**
 * A computation produced NaN or ±Infinity (a run that diverged, weights that overflow float32):
 * not an input error but a failure while running, so the run stops before anything is written.
 * The message names the step, the image and the term.
 */
export class NonFiniteError extends Error {
  override readonly name = 'NonFiniteError';

  constructor(readonly details: NonFiniteDetails, readonly names: NonFiniteNames = {}) {
    const d = details;
    const where: string[] = [];
    if (d.iteration !== undefined) where.push(`iteration ${d.iteration + 1}${d.iterations === undefined ? '' : ` of ${d.iterations}`}`);
    if (d.image !== undefined) where.push(names.images?.[d.image] ?? `image ${d.image + 1}`);
    const check = d.checkWeights ? ` Check the checkpoint${names.checkpoint === undefined ? '' : ` ${names.checkpoint}`}.` : '';
    super(`${where.length > 0 ? `${where.join(', ')}: ` : ''}${d.what} is ${d.value}. ${d.hint}${check}`);
  }

  /** The same error with each image named (a file name instead of `image 2`), and the checkpoint when given. */
  withImageNames(images: readonly string[], checkpoint = this.names.checkpoint): NonFiniteError {
    return new NonFiniteError(this.details, { images, checkpoint });
  }

  /**
   * `e` with its images (and checkpoint) named when it is a NonFiniteError, else `e` as it is.
   * Matched by name, not class: the error may come from another copy of this package.
   */
  static nameImages(e: unknown, images: readonly string[], checkpoint?: string): unknown {
    return e instanceof Error && e.name === 'NonFiniteError' ? (e as NonFiniteError).withImageNames(images, checkpoint) : e;
  }
}
