// The bounds on what an input file can make maskgrad allocate, in one place. Every size read
// from a file (a header's length, an image's width and height, a config's layer count) is held
// against one of these, or against the weights' own shapes, before anything is allocated for it.
// packages/cli/README.md quotes these numbers; tests/readme-limits.test.ts checks that they match.

/**
 * Images above this many pixels are refused before decoding (exit 2 from the CLI).
 * 40 megapixels (e.g. 8000 × 5000): above every phone and most camera photos. Classifying an
 * image at the limit peaked at 1.26 GB (8-bit RGB PNG) and 1.49 GB (16-bit RGBA PNG) of
 * resident memory (`/usr/bin/time -f %M maskgrad classify`, built-in model). Pillow warns above
 * 89.5 megapixels and refuses above 179.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Image files larger than this are refused before reading (40 MP of 16-bit RGBA stored uncompressed is 320 MB). */
export const MAX_IMAGE_FILE_BYTES = 512 * 2 ** 20;

/** Config and detector JSON files larger than this are refused before reading (ImageNet-21k's config is about 1 MB). */
export const MAX_JSON_FILE_BYTES = 16 * 2 ** 20;

/** Checkpoint files larger than this are refused before reading: the largest buffer Node 20 allocates (ViT-H/14 in F32 is 2.5 GB). */
export const MAX_CHECKPOINT_FILE_BYTES = 4 * 2 ** 30;

/** The reference implementation (huggingface/safetensors) refuses JSON headers above 100 MB; so do we. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** `n` bytes for a message: `3.2 GiB (3435973836 bytes)`, `812 bytes`. */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = '';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return unit === '' ? `${n} bytes` : `${+value.toFixed(1)} ${unit} (${n} bytes)`;
}
