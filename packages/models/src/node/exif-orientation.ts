// EXIF orientation of a JPEG, applied as Pillow's ImageOps.exif_transpose applies it: a phone
// stores the sensor's rows as they came and says, in tag 0x0112 of the EXIF block, how to turn
// them for display. Without it a portrait photo reaches the model lying on its side.
// Malformed EXIF is ignored (orientation 1), as image viewers and Pillow ignore it.

import type { RgbImage } from '../rgb-image.js';

const ORIENTATION_TAG = 0x0112;

/** The EXIF orientation (1–8) of a JPEG file's bytes; 1 when it has none or it cannot be read. */
export function jpegOrientation(bytes: Uint8Array): number {
  const u16 = (at: number, little: boolean) => (little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!);
  const u32 = (at: number, little: boolean) => (little ? u16(at, true) + u16(at + 2, true) * 65536 : u16(at, false) * 65536 + u16(at + 2, false));
  let at = 2; // after SOI
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return 1; // image data starts: no EXIF before it
    const length = u16(at + 2, false);
    const body = at + 4;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) return 1;
    const isExif = marker === 0xe1 && length >= 16 && String.fromCharCode(...bytes.subarray(body, body + 6)) === 'Exif\0\0';
    if (isExif) {
      const tiff = body + 6;
      const order = String.fromCharCode(bytes[tiff]!, bytes[tiff + 1]!);
      if (order !== 'II' && order !== 'MM') return 1;
      const little = order === 'II';
      if (u16(tiff + 2, little) !== 42) return 1;
      const ifd = tiff + u32(tiff + 4, little);
      if (ifd + 2 > end) return 1;
      const entries = u16(ifd, little);
      for (let i = 0; i < entries; i++) {
        const e = ifd + 2 + 12 * i;
        if (e + 12 > end) return 1;
        if (u16(e, little) !== ORIENTATION_TAG) continue;
        const type = u16(e + 2, little);
        const value = type === 3 ? u16(e + 8, little) : type === 4 ? u32(e + 8, little) : 0;
        return value >= 1 && value <= 8 ? value : 1;
      }
      return 1;
    }
    at = end;
  }
  return 1;
}

/**
 * The image as it is meant to be seen: `orientation` 2–8 mirror, rotate or transpose it
 * (6: a quarter turn clockwise; 8: anticlockwise); 1 returns it unchanged.
 */
export function applyOrientation(img: RgbImage, orientation: number): RgbImage {
  if (orientation < 2 || orientation > 8) return img;
  const { width: w, height: h } = img;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  // for the output pixel (x, y): the stored pixel it shows
  const from: (x: number, y: number) => [number, number] = {
    2: (x: number, y: number): [number, number] => [w - 1 - x, y],
    3: (x: number, y: number): [number, number] => [w - 1 - x, h - 1 - y],
    4: (x: number, y: number): [number, number] => [x, h - 1 - y],
    5: (x: number, y: number): [number, number] => [y, x],
    6: (x: number, y: number): [number, number] => [y, h - 1 - x],
    7: (x: number, y: number): [number, number] => [w - 1 - y, h - 1 - x],
    8: (x: number, y: number): [number, number] => [w - 1 - y, x],
  }[orientation]!;
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const [sx, sy] = from(x, y);
      const s = (sy * w + sx) * 3;
      const o = (y * ow + x) * 3;
      data[o] = img.data[s]!;
      data[o + 1] = img.data[s + 1]!;
      data[o + 2] = img.data[s + 2]!;
    }
  }
  return { width: ow, height: oh, data };
}
