import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_PIXELS } from '../limits.js';
import { checkPng, jpegSize } from './image-header.js';
import { decodeImage, readImageFile } from './image-io.js';
import { catchImageError, chunk, PNG_SIGNATURE } from './test-png.js';

const scratch = mkdtempSync(join(tmpdir(), 'maskgrad-image-header-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An 8-bit RGB PNG whose IHDR says width × height, over `raw` (filtered rows, deflated here). */
function png(width: number, height: number, raw: Uint8Array, interlace = 0): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, interlace], 8);
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)),
  ]);
}

/** RGB pixel (x, y) of the test pattern. */
const pixel = (x: number, y: number) => [x * 40, y * 30, (x + y) * 10];

/** The Adam7-interlaced rows of a width × height RGB image, each pass row with filter byte 0. */
function adam7(width: number, height: number): Uint8Array {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  const out: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    if (x0 >= width || y0 >= height) continue;
    for (let y = y0; y < height; y += dy) {
      out.push(0);
      for (let x = x0; x < width; x += dx) out.push(...pixel(x, y));
    }
  }
  return Uint8Array.from(out);
}

const catchError = catchImageError;

describe('PNG data against its header', () => {
  it('refuses a header that claims more pixels than the data holds (pngjs alone decodes it as black)', () => {
    const forged = png(1000, 1000, new Uint8Array(1000));
    const e = catchError(() => decodeImage(forged, 'forged.png'));
    expect(e.message).toBe(
      'forged.png: IDAT: expected pixel rows of 3001000 bytes for the 1000 × 1000 the header says, ' +
      'found 1000 bytes: the data is shorter than the header says (truncated or forged). Re-export or download the image again.',
    );
  });

  it('refuses data longer than the header says', () => {
    const e = catchError(() => decodeImage(png(2, 2, new Uint8Array(2 * 7 + 5)), 'long.png'));
    expect(e.message).toMatch(/^long\.png: IDAT: expected compressed pixel rows that inflate to 14 bytes \(2 × 2\), found more data than that/);
  });

  it('accepts an interlaced PNG of exactly the right length and decodes it', () => {
    const [w, h] = [5, 3];
    const img = decodeImage(png(w, h, adam7(w, h), 1), 'interlaced.png');
    expect(Array.from(img.data)).toEqual(Array.from({ length: w * h }, (_, p) => pixel(p % w, Math.floor(p / w))).flat());
    // one byte short
    const short = adam7(w, h).subarray(0, adam7(w, h).length - 1);
    expect(catchError(() => decodeImage(png(w, h, short, 1), 'short.png')).message).toMatch(/the data is shorter than the header says/);
  });

  it('refuses a file that ends without IEND, or inside a chunk', () => {
    const good = png(2, 2, new Uint8Array(14));
    expect(catchError(() => checkPng(good.subarray(0, good.length - 12), 'noend.png')).message).toMatch(/^noend\.png: IEND: expected the end chunk \(IEND\), found the file ends without it \(truncated\)/);
    expect(catchError(() => checkPng(good.subarray(0, 50), 'cut.png')).message).toMatch(/^cut\.png: IDAT: expected the \d+ bytes its length at byte 33 announces, found the file ends \d+ bytes short/);
  });
});

describe('the pixel limit, checked from the header before decoding', () => {
  it(`refuses a PNG above ${MAX_IMAGE_PIXELS} pixels with the size and the limit`, () => {
    const e = catchError(() => decodeImage(png(20000, 20000, new Uint8Array(10)), 'huge.png'));
    expect(e.message).toBe(
      `huge.png: size: expected at most ${MAX_IMAGE_PIXELS} pixels (${MAX_IMAGE_PIXELS / 1e6} megapixels), found 20000 × 20000 = 400000000 pixels. ` +
      'maskgrad refuses larger images before decoding them; scale the image down first (the model sees it at its input size anyway).',
    );
    expect(catchError(() => decodeImage(png(0, 5, new Uint8Array(0)), 'empty.png')).found).toBe('0 × 5');
  });

  it('refuses a JPEG whose frame header is above the limit', () => {
    const small = Buffer.from(jpeg.encode({ width: 16, height: 8, data: new Uint8Array(16 * 8 * 4).fill(99) }, 90).data);
    expect(jpegSize(small, 'small.jpg')).toEqual({ width: 16, height: 8 });
    const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
    small.writeUInt16BE(65000, sof + 5);
    small.writeUInt16BE(65000, sof + 7);
    expect(catchError(() => decodeImage(small, 'big.jpg')).message).toMatch(/^big\.jpg: size: expected at most \d+ pixels .* found 65000 × 65000 = 4225000000 pixels/);
    expect(catchError(() => jpegSize(small.subarray(0, 20), 'head.jpg')).message).toMatch(/^head\.jpg: SOF: expected a JPEG frame header/);
  });
});

describe('readImageFile reads regular files only', () => {
  it('refuses /dev/zero, a link to it, a named pipe and a folder without reading them', () => {
    expect(catchError(() => readImageFile('/dev/zero')).message).toMatch(/^\/dev\/zero: expected an image file .* found a character device \(such as \/dev\/zero\), which may never end/);
    const link = join(scratch, 'zero.png');
    symlinkSync('/dev/zero', link);
    expect(catchError(() => readImageFile(link)).found).toMatch(/character device/);
    const fifo = join(scratch, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    expect(catchError(() => readImageFile(fifo)).found).toMatch(/named pipe/); // and does not block waiting for a writer
    expect(catchError(() => readImageFile(scratch)).found).toBe('a directory');
  });

  it('refuses a file above the size cap before reading it (a sparse 1 GiB file)', () => {
    const path = join(scratch, 'sparse.png');
    writeFileSync(path, '');
    execFileSync('truncate', ['-s', '1G', path]);
    expect(catchError(() => readImageFile(path)).message).toMatch(/^.*sparse\.png: expected an image file .* of at most 512 MiB \(536870912 bytes\), found 1 GiB \(1073741824 bytes\)/);
  });
});
