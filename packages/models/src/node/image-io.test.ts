import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { afterAll, describe, it, expect } from 'vitest';
import { decodeImage, encodePng, readImageFile, writePngFile } from './image-io.js';
import { catchImageError, chunk, PNG_SIGNATURE } from './test-png.js';

const imagePath = (i: number): string =>
  fileURLToPath(new URL(`../../../../tests/fixtures/shapes-vit-hf/images/img${i}.png`, import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'maskgrad-image-io-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// --- A minimal PNG writer, independent of pngjs, to make every color type and bit depth. ---
/** `rows`: each row's packed samples, without the filter byte (filter 0 is added). */
function makePng(width: number, colorType: number, depth: number, rows: number[][], extra: Buffer[] = []): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(rows.length, 4);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  const raw = Buffer.from(rows.flatMap((r) => [0, ...r]));
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr), ...extra, chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)),
  ]);
}

const catchError = catchImageError;

describe('decodeImage: PNG', () => {
  it('decodes the fixture images to 64x64 RGB (checked against an independent decoder)', () => {
    // Sum of all bytes, pixel (0, 0) and pixel (x 31, y 40), from a hand-written Python PNG decoder.
    const reference: [number, number[], number[]][] = [
      [1327418, [126, 139, 13], [84, 200, 248]], [1688055, [147, 172, 175], [147, 122, 101]],
      [1710586, [109, 109, 168], [121, 145, 183]], [2017664, [170, 181, 237], [121, 167, 221]],
      [1250862, [136, 0, 27], [117, 96, 81]], [1080044, [37, 228, 117], [45, 63, 58]],
      [1467445, [185, 164, 9], [132, 85, 144]], [1980968, [25, 238, 178], [95, 230, 145]],
    ];
    reference.forEach(([sum, first, probe], i) => {
      const img = readImageFile(imagePath(i));
      expect([img.width, img.height, img.data.length]).toEqual([64, 64, 64 * 64 * 3]);
      expect(img.data.reduce((s, v) => s + v, 0)).toBe(sum);
      expect(Array.from(img.data.subarray(0, 3))).toEqual(first);
      const at = 3 * (40 * 64 + 31);
      expect(Array.from(img.data.subarray(at, at + 3))).toEqual(probe);
    });
  });

  it('expands grey, grey+alpha and palette images to RGB and drops alpha', () => {
    const grey = decodeImage(makePng(2, 0, 8, [[0, 200]]));
    expect(Array.from(grey.data)).toEqual([0, 0, 0, 200, 200, 200]);
    const greyAlpha = decodeImage(makePng(2, 4, 8, [[10, 0, 250, 128]]));
    expect(Array.from(greyAlpha.data)).toEqual([10, 10, 10, 250, 250, 250]);
    const rgba = decodeImage(makePng(1, 6, 8, [[1, 2, 3, 0]]));
    expect(Array.from(rgba.data)).toEqual([1, 2, 3]);
    const plte = chunk('PLTE', new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]));
    const palette8 = decodeImage(makePng(3, 3, 8, [[2, 0, 1]], [plte]));
    expect(Array.from(palette8.data)).toEqual([0, 0, 255, 255, 0, 0, 0, 255, 0]);
    // 2-bit palette indices 1, 2, 0, 1 packed into one byte: 01 10 00 01.
    const palette2 = decodeImage(makePng(4, 3, 2, [[0b01100001]], [plte]));
    expect(Array.from(palette2.data)).toEqual([0, 255, 0, 0, 0, 255, 255, 0, 0, 0, 255, 0]);
  });

  it('scales 16-bit samples to 8 bits, rounding v * 255 / 65535', () => {
    const rgb16 = decodeImage(makePng(2, 2, 16, [[0x00, 0x00, 0xff, 0xff, 0x80, 0x80, 0x12, 0x34, 0x00, 0x81, 0xfe, 0xff]]));
    expect(Array.from(rgb16.data)).toEqual([0, 255, 128, 18, 1, 254]);
    const grey16 = decodeImage(makePng(1, 0, 16, [[0x40, 0x00]]));
    expect(Array.from(grey16.data)).toEqual([64, 64, 64]);
  });

  it('rejects corrupt or truncated PNGs, naming the file', () => {
    const good = readFileSync(imagePath(0));
    const truncated = catchError(() => decodeImage(good.subarray(0, good.length / 2), 'half.png'));
    expect(truncated.message).toMatch(/^half\.png: IDAT: expected the \d+ bytes its length at byte \d+ announces, found the file ends \d+ bytes short \(truncated\)\. Re-export/);
    const flipped = Uint8Array.from(good);
    flipped[40] ^= 0xff; // the chunk type of the first IDAT
    expect(catchError(() => decodeImage(flipped, 'flipped.png')).message).toMatch(/^flipped\.png: chunks: expected a chunk type of four letters at byte 37, found bytes "IDA.*" \(corrupt\)/);
    const crc = Uint8Array.from(good);
    crc[60] ^= 0x01; // a bit of the compressed data: the chunk's CRC no longer matches (pngjs checks it)
    expect(catchError(() => decodeImage(crc, 'crc.png')).message).toMatch(/^crc\.png: /);
  });
});

describe('decodeImage: JPEG and unknown formats', () => {
  const width = 32;
  const height = 24;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set([x * 8, y * 10, 128, 255], 4 * (y * width + x));
  }
  const jpegBytes = new Uint8Array(jpeg.encode({ width, height, data: rgba }, 95).data);

  it('decodes a JPEG made by jpeg-js back to about the same pixels', () => {
    const img = decodeImage(jpegBytes, 'gradient.jpg');
    expect([img.width, img.height, img.data.length]).toEqual([width, height, width * height * 3]);
    let err = 0;
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) err += Math.abs(img.data[3 * p + c]! - rgba[4 * p + c]!);
    }
    expect(err / (width * height * 3)).toBeLessThan(2);
  });

  it('rejects truncated JPEGs', () => {
    const e = catchError(() => decodeImage(jpegBytes.subarray(0, 300), 'cut.jpg'));
    expect(e.message).toMatch(/^cut\.jpg: expected a valid JPEG file, found corrupt or truncated data/);
  });

  it('names unsupported formats and says which are supported', () => {
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
    expect(catchError(() => decodeImage(gif, 'a.gif')).message).toBe(
      'a.gif: expected PNG (8- or 16-bit; grey, RGB, palette, with or without alpha) or JPEG, found GIF data. ' +
        'Convert the image to PNG or JPEG (for example: convert input.webp output.png).',
    );
    const webp = new TextEncoder().encode('RIFF\x00\x00\x00\x00WEBPVP8 ');
    expect(catchError(() => decodeImage(webp)).found).toBe('WebP data');
    expect(catchError(() => decodeImage(new Uint8Array(0))).found).toBe('an empty file');
    expect(catchError(() => decodeImage(new Uint8Array([1, 2, 3, 250]))).found).toBe(
      'unrecognized data starting with bytes 01 02 03 fa',
    );
  });

  it('reports a missing file', () => {
    const path = join(scratch, 'missing.png');
    expect(catchError(() => readImageFile(path)).message).toMatch(/missing\.png: expected an image file .* found no such file\. Check the path\./);
  });
});

describe('encodePng and writePngFile', () => {
  const width = 5;
  const height = 3;
  const pixels = (channels: number) => Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37) % 256);

  it('round-trips grey, RGB and RGBA through encode and decode', () => {
    for (const channels of [1, 3, 4] as const) {
      const src = pixels(channels);
      const png = encodePng(width, height, src, channels);
      expect(png[25]).toBe({ 1: 0, 3: 2, 4: 6 }[channels]); // IHDR color type
      const img = decodeImage(png);
      expect([img.width, img.height]).toEqual([width, height]);
      const expected = new Uint8Array(width * height * 3);
      for (let p = 0; p < width * height; p++) {
        for (let c = 0; c < 3; c++) expected[3 * p + c] = src[channels * p + (channels === 1 ? 0 : c)]!;
      }
      expect(img.data).toEqual(expected);
    }
  });

  it('rejects pixel buffers of the wrong size and bad arguments', () => {
    expect(catchError(() => encodePng(width, height, new Uint8Array(10), 3)).message).toBe(
      '<encodePng>: pixels: expected 45 bytes (5 x 3 x 3), found 10 bytes. Fix the arguments passed to encodePng.',
    );
    expect(catchError(() => encodePng(0, height, new Uint8Array(0), 3)).key).toBe('width');
    expect(catchError(() => encodePng(width, height, pixels(2), 2 as 3)).key).toBe('channels');
  });

  it('writes atomically: the final file decodes, no temporary file is left, overwrites work', () => {
    const path = join(scratch, 'mask.png');
    writePngFile(path, width, height, pixels(1), 1);
    writePngFile(path, width, height, pixels(3), 3);
    expect(readdirSync(scratch).filter((f) => f.includes('mask'))).toEqual(['mask.png']);
    expect(readImageFile(path).data).toEqual(pixels(3));
  });

  it('reports an unwritable destination and leaves nothing behind', () => {
    const dir = mkdtempSync(join(scratch, 'out-'));
    writeFileSync(join(dir, 'keep.txt'), 'x');
    const e = catchError(() => writePngFile(join(dir, 'no-such-folder', 'm.png'), width, height, pixels(1), 1));
    expect(e.message).toMatch(/m\.png: expected a writable location, found ENOENT: .*Create the output folder first\./);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    // A directory in the way of the final name: the rename fails and the temporary file is removed.
    const blocked = join(dir, 'blocked.png');
    mkdirSync(blocked);
    expect(catchError(() => writePngFile(blocked, width, height, pixels(1), 1)).file).toBe(blocked);
    expect(readdirSync(dir).sort()).toEqual(['blocked.png', 'keep.txt']);
  });
});
