// Node-only: what an image file's header says, checked before the codec allocates anything for
// it. The width and height come from the PNG IHDR chunk or the JPEG frame header (SOFn) and are
// held against MAX_IMAGE_PIXELS; a PNG's compressed pixel rows must inflate to exactly what its
// header describes (pngjs fills a short image with black without complaint); a JPEG whose scan
// ends early is refused by jpeg-js itself.

import * as zlib from 'node:zlib';
import { ImageError } from '../errors.js';
import { MAX_IMAGE_PIXELS } from '../limits.js';

export interface ImageSize {
  width: number;
  height: number;
}

const PNG_SIGNATURE_BYTES = 8;
/** zlib.crc32 (Node 20.15 and later): each chunk's checksum is checked where it is available (pngjs checks it anyway). */
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
/** Samples per pixel by PNG colour type: grey, RGB, palette, grey + alpha, RGBA. */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

function fail(file: string, key: string, expected: string, found: string, hint = 'Re-export or download the image again.'): never {
  throw new ImageError({ file, key, expected, found, hint });
}

/** Refuses sizes of zero and above the pixel limit, naming both. */
export function checkImageSize(size: ImageSize, file: string): void {
  const { width, height } = size;
  if (width < 1 || height < 1) fail(file, 'size', 'a width and height of at least 1 pixel', `${width} × ${height}`);
  if (width * height > MAX_IMAGE_PIXELS) {
    fail(file, 'size', `at most ${MAX_IMAGE_PIXELS} pixels (${MAX_IMAGE_PIXELS / 1e6} megapixels)`,
      `${width} × ${height} = ${width * height} pixels`,
      'maskgrad refuses larger images before decoding them; scale the image down first (the model sees it at its input size anyway).');
  }
}

/** Bytes of filtered pixel rows a PNG of this header inflates to (with one filter byte per row). */
function pngDataBytes(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (Math.ceil((w * bitsPerPixel) / 8) + 1) : 0);
  if (!interlaced) return rows(width, height);
  return ADAM7.reduce((n, [x0, y0, dx, dy]) => n + rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)), 0);
}

/**
 * A PNG's size from IHDR, after walking its chunks (each must fit in the file) and inflating its
 * IDAT data to check that it holds exactly the rows the header describes.
 */
export function checkPng(bytes: Uint8Array, file: string): ImageSize {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < PNG_SIGNATURE_BYTES + 25 || type(12) !== 'IHDR' || view.getUint32(8) !== 13) {
    fail(file, 'IHDR', 'a PNG header chunk (IHDR) right after the signature', `${bytes.length} bytes without one`);
  }
  const size = { width: view.getUint32(16), height: view.getUint32(20) };
  const [depth, colorType, compression, filter, interlace] = [bytes[24]!, bytes[25]!, bytes[26]!, bytes[27]!, bytes[28]!];
  checkImageSize(size, file);
  if (compression !== 0 || filter !== 0 || interlace > 1) {
    fail(file, 'IHDR', 'compression method 0, filter method 0 and interlace method 0 or 1', `${compression}, ${filter} and ${interlace}`);
  }
  const channels = PNG_CHANNELS[colorType];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) {
    fail(file, 'IHDR', 'a PNG colour type 0, 2, 3, 4 or 6 with a bit depth of 1, 2, 4, 8 or 16', `colour type ${colorType}, bit depth ${depth}`);
  }
  const idat: Uint8Array[] = [];
  let at = PNG_SIGNATURE_BYTES;
  let ended = false;
  while (at < bytes.length && !ended) {
    if (at + 12 > bytes.length) fail(file, 'chunks', 'whole chunks', `${bytes.length - at} stray bytes at byte ${at}`);
    const length = view.getUint32(at);
    const name = type(at + 4);
    if (!/^[A-Za-z]{4}$/.test(name)) fail(file, 'chunks', `a chunk type of four letters at byte ${at + 4}`, `bytes ${JSON.stringify(name)} (corrupt)`);
    if (at + 12 + length > bytes.length) {
      fail(file, name, `the ${length} bytes its length at byte ${at} announces`, `the file ends ${at + 12 + length - bytes.length} bytes short (truncated)`);
    }
    const crc = view.getUint32(at + 8 + length);
    if (crc32 && crc32(bytes.subarray(at + 4, at + 8 + length)) !== crc) {
      fail(file, name, `the chunk's CRC-32 at byte ${at + 8 + length} to match its data`, 'a different checksum (corrupt)');
    }
    if (name === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    ended = name === 'IEND';
    at += 12 + length;
  }
  if (!ended) fail(file, 'IEND', 'the end chunk (IEND)', 'the file ends without it (truncated)');
  const expected = pngDataBytes(size.width, size.height, channels * depth, interlace === 1);
  let inflated: number;
  try {
    inflated = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: expected }).length;
  } catch (cause) {
    const tooLong = (cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    fail(file, 'IDAT', `compressed pixel rows that inflate to ${expected} bytes (${size.width} × ${size.height})`,
      tooLong ? 'more data than that' : `data that does not inflate (${(cause as Error).message})`);
  }
  if (inflated! !== expected) {
    fail(file, 'IDAT', `pixel rows of ${expected} bytes for the ${size.width} × ${size.height} the header says`,
      `${inflated!} bytes: the data is shorter than the header says (truncated or forged)`);
  }
  return size;
}

/** A JPEG's size from its frame header (SOF0..SOF15), found by walking the marker segments. */
export function jpegSize(bytes: Uint8Array, file: string): ImageSize {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2; // after SOI
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) fail(file, 'markers', `a marker at byte ${at}`, `byte 0x${bytes[at]!.toString(16)}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, start of scan: no frame header before it
    const length = view.getUint16(at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 9 > bytes.length) break;
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + length;
  }
  return fail(file, 'SOF', 'a JPEG frame header (SOF) giving the width and height', 'none before the image data (truncated or not a JPEG)');
}
