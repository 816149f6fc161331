// Node-only image input and output: PNG (pngjs) and baseline/progressive JPEG (jpeg-js) decoded to
// 8-bit RGB, and PNG encoding for masks and heatmaps. The core packages never see a codec; they
// get width, height and RGB bytes. Before a codec runs, the header's size is held against
// MAX_IMAGE_PIXELS and a PNG's data against its header (image-header.ts); only regular files of
// at most MAX_IMAGE_FILE_BYTES are read.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { ImageError } from '../errors.js';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from '../limits.js';
import { applyOrientation, jpegOrientation } from './exif-orientation.js';
import { checkImageSize, checkPng, jpegSize } from './image-header.js';
import { readRegularFile } from './read-file.js';

const { PNG } = pngjs;

/** An 8-bit RGB image: `data[3 * (y * width + x) + c]` is channel c (R, G, B) of pixel (x, y). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const SUPPORTED = 'PNG (8- or 16-bit; grey, RGB, palette, with or without alpha) or JPEG';
const CONVERT_HINT = 'Convert the image to PNG or JPEG (for example: convert input.webp output.png).';

/** Recognizes a few formats we do not decode, so that the error can name them. */
function sniffFormat(bytes: Uint8Array): 'png' | 'jpeg' | string {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  const starts = (...sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (ascii(0, 4) === 'GIF8') return 'GIF data';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP data';
  if (ascii(0, 2) === 'BM') return 'BMP data';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'TIFF data';
  if (ascii(4, 8) === 'ftyp') return `an ISO media file (${ascii(8, 12).trim()}, e.g. HEIC or AVIF)`;
  if (bytes.length === 0) return 'an empty file';
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognized data starting with bytes ${head}`;
}

/**
 * Decodes a PNG or JPEG (detected by its magic bytes, not its name) to 8-bit RGB. Images above
 * MAX_IMAGE_PIXELS, and data shorter or longer than the header says, are an ImageError.
 * PNG: grey and palette images are expanded to RGB, 16-bit samples are scaled to 8 bits
 * (round(v * 255 / 65535)), and alpha is dropped, not composited: each pixel keeps the color it
 * stores. (pngjs zeroes pixels that match a tRNS transparent color, so those come out black.)
 * JPEG: turned upright by its EXIF orientation, as Pillow's ImageOps.exif_transpose does.
 */
export function decodeImage(bytes: Uint8Array, fileName = '<memory>'): RgbImage {
  const format = sniffFormat(bytes);
  if (format === 'png') return decodePng(bytes, fileName);
  if (format === 'jpeg') return decodeJpeg(bytes, fileName);
  throw new ImageError({ file: fileName, expected: SUPPORTED, found: format, hint: CONVERT_HINT });
}

function corrupt(fileName: string, format: string, cause: unknown): ImageError {
  return new ImageError({
    file: fileName, expected: `a valid ${format} file`,
    found: `corrupt or truncated data (${(cause as Error).message ?? String(cause)})`,
    hint: 'Re-export or download the image again.', cause,
  });
}

function decodePng(bytes: Uint8Array, fileName: string): RgbImage {
  checkPng(bytes, fileName);
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (cause) {
    throw corrupt(fileName, 'PNG', cause);
  }
  // pngjs always hands back 8-bit RGBA (with the default skipRescale: false).
  const { width, height, data: rgba } = png;
  if (rgba.length !== width * height * 4) {
    throw corrupt(fileName, 'PNG', new Error(`decoder returned ${rgba.length} bytes for ${width}x${height} RGBA`));
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
    rgb[p] = rgba[q]!;
    rgb[p + 1] = rgba[q + 1]!;
    rgb[p + 2] = rgba[q + 2]!;
  }
  return { width, height, data: rgb };
}

function decodeJpeg(bytes: Uint8Array, fileName: string): RgbImage {
  checkImageSize(jpegSize(bytes, fileName), fileName);
  try {
    // formatAsRGBA: false gives 3 bytes per pixel for grey, YCbCr and CMYK/YCCK files alike;
    // the size was checked above, so jpeg-js's own limits only need to let it through.
    const { width, height, data } = jpeg.decode(bytes, {
      useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 2048,
    });
    if (width === 0 || height === 0 || data.length !== width * height * 3) {
      throw new Error(`decoder returned ${data.length} bytes for ${width}x${height} RGB`);
    }
    return applyOrientation({ width, height, data }, jpegOrientation(bytes));
  } catch (cause) {
    throw corrupt(fileName, 'JPEG', cause);
  }
}

/** Reads and decodes an image file (a regular file of at most MAX_IMAGE_FILE_BYTES); errors name the path. */
export function readImageFile(path: string): RgbImage {
  const bytes = readRegularFile(path, {
    what: `an image file (${SUPPORTED})`, maxBytes: MAX_IMAGE_FILE_BYTES, error: (d) => new ImageError(d),
    directoryHint: 'Pass the path of an image file, not a folder.',
  });
  return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** PNG color types by channel count: 1 grey, 3 RGB, 4 RGBA. */
const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/**
 * Encodes 8-bit pixels as a PNG: `channels` 1 (grey), 3 (RGB) or 4 (RGBA), row-major,
 * `pixels.length === width * height * channels`.
 */
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: 1 | 3 | 4): Uint8Array {
  const fail = (key: string, expected: string, found: string): never => {
    throw new ImageError({ file: '<encodePng>', key, expected, found, hint: 'Fix the arguments passed to encodePng.' });
  };
  if (!(channels in COLOR_TYPE)) fail('channels', '1 (grey), 3 (RGB) or 4 (RGBA)', String(channels));
  for (const [key, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) fail(key, 'a positive integer', String(v));
  }
  if (pixels.length !== width * height * channels) {
    fail('pixels', `${width * height * channels} bytes (${width} x ${height} x ${channels})`, `${pixels.length} bytes`);
  }
  const colorType = COLOR_TYPE[channels];
  const png = new PNG({ width, height });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const out = PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4, bitDepth: 8 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Encodes and writes a PNG atomically: the bytes go to a temporary file in the same folder, are
 * flushed to disk, then renamed over `path`, so a reader never sees a half-written image.
 */
export function writePngFile(
  path: string,
  width: number,
  height: number,
  pixels: Uint8Array,
  channels: 1 | 3 | 4,
): void {
  const png = encodePng(width, height, pixels, channels);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const fd = openSync(tmp, 'wx');
    created = true;
    try {
      let written = 0;
      while (written < png.length) written += writeSync(fd, png, written, png.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (cause) {
    if (created) {
      try {
        unlinkSync(tmp);
      } catch {
        // Best effort: the temporary file may already be gone.
      }
    }
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ImageError({
      file: path, expected: 'a writable location', found: `${code ?? 'error'}: ${(cause as Error).message}`,
      hint: code === 'ENOENT' ? 'Create the output folder first.' : 'Check the folder exists and is writable.', cause,
    });
  }
}
