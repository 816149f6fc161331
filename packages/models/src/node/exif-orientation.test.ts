import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { applyOrientation, jpegOrientation } from './exif-orientation.js';
import { decodeImage } from './image-io.js';

/** A 3 × 2 image whose pixel (x, y) has red = 10·x + y + 1: where every pixel went is visible. */
const labelled = { width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => (i % 3 === 0 ? 10 * ((i / 3) % 3) + Math.floor(i / 9) + 1 : 0)) };
const reds = (img: { width: number; height: number; data: Uint8Array }) =>
  Array.from({ length: img.height }, (_, y) => Array.from({ length: img.width }, (_, x) => img.data[(y * img.width + x) * 3]));

/** An EXIF APP1 segment holding only the orientation tag, in either byte order. */
function exifSegment(orientation: number, little: boolean): Uint8Array {
  const tiff = new DataView(new ArrayBuffer(26));
  tiff.setUint16(0, little ? 0x4949 : 0x4d4d);
  tiff.setUint16(2, 42, little);
  tiff.setUint32(4, 8, little);
  tiff.setUint16(8, 1, little); // one entry
  tiff.setUint16(10, 0x0112, little);
  tiff.setUint16(12, 3, little); // SHORT
  tiff.setUint32(14, 1, little);
  tiff.setUint16(18, orientation, little);
  const body = [...Buffer.from('Exif\0\0', 'latin1'), ...new Uint8Array(tiff.buffer)];
  return Uint8Array.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255, ...body]);
}

function jpegWith(segment: Uint8Array, width = 16, height = 8): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  // left half black, right half white: after a quarter turn the white half is at the bottom or top
  for (let i = 0; i < width * height; i++) rgba.fill(i % width >= width / 2 ? 255 : 0, i * 4, i * 4 + 3), (rgba[i * 4 + 3] = 255);
  const plain = new Uint8Array(jpeg.encode({ width, height, data: rgba }, 95).data);
  return Uint8Array.from([...plain.subarray(0, 2), ...segment, ...plain.subarray(2)]);
}

describe('EXIF orientation', () => {
  it('turns, mirrors and transposes as the EXIF tag defines (6: a quarter turn clockwise)', () => {
    expect(reds(labelled)).toEqual([[1, 11, 21], [2, 12, 22]]);
    expect(reds(applyOrientation(labelled, 1))).toEqual([[1, 11, 21], [2, 12, 22]]);
    expect(reds(applyOrientation(labelled, 2))).toEqual([[21, 11, 1], [22, 12, 2]]);
    expect(reds(applyOrientation(labelled, 3))).toEqual([[22, 12, 2], [21, 11, 1]]);
    expect(reds(applyOrientation(labelled, 4))).toEqual([[2, 12, 22], [1, 11, 21]]);
    expect(reds(applyOrientation(labelled, 5))).toEqual([[1, 2], [11, 12], [21, 22]]);
    expect(reds(applyOrientation(labelled, 6))).toEqual([[2, 1], [12, 11], [22, 21]]);
    expect(reds(applyOrientation(labelled, 7))).toEqual([[22, 21], [12, 11], [2, 1]]);
    expect(reds(applyOrientation(labelled, 8))).toEqual([[21, 22], [11, 12], [1, 2]]);
  });

  it('reads the tag in both byte orders, and 1 for none or malformed EXIF', () => {
    for (const o of [1, 3, 6, 8]) {
      expect(jpegOrientation(jpegWith(exifSegment(o, true)))).toBe(o);
      expect(jpegOrientation(jpegWith(exifSegment(o, false)))).toBe(o);
    }
    expect(jpegOrientation(jpegWith(new Uint8Array(0)))).toBe(1);
    expect(jpegOrientation(jpegWith(exifSegment(9, true)))).toBe(1);
    const cut = exifSegment(6, true);
    cut[3] = 200; // a length past the end of the file
    expect(jpegOrientation(Uint8Array.from([0xff, 0xd8, ...cut]))).toBe(1);
  });

  it('decodeImage turns a JPEG upright: orientation 6 on a 16 × 8 file gives 8 × 16, white half at the bottom', () => {
    const img = decodeImage(jpegWith(exifSegment(6, false)));
    expect([img.width, img.height]).toEqual([8, 16]);
    expect(img.data[0]).toBeLessThan(30);
    expect(img.data[(15 * 8 + 7) * 3]).toBeGreaterThan(225);
  });
});
