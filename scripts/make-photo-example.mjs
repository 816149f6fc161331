#!/usr/bin/env node
/**
 * node scripts/make-photo-example.mjs: draws docs/images/phone-disc.jpg, a "phone photo" for
 * the README's Hub example: a disc on a dark, grainy background, 480 × 640 upright, stored
 * landscape (640 × 480) with EXIF orientation 6 as phones write it, so that it comes out
 * sideways unless the orientation is applied. A light band at the top and bottom lies outside
 * the centre square that a centre-cropping checkpoint sees. Seeded: the same bytes every run.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { mulberry32 } from '@maskgrad/models';

const W = 480;
const H = 640;
const random = mulberry32(2201);
// grain in 7 px blocks: about one block per pixel of the 64 px model input
const grain = Array.from({ length: Math.ceil(H / 7) * Math.ceil(W / 7) }, () => (random() - 0.5) * 40);
const upright = new Uint8Array(W * H * 3);
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++) {
    const g = grain[Math.floor(y / 7) * Math.ceil(W / 7) + Math.floor(x / 7)];
    const band = y < 70 || y >= H - 70;
    const disc = (x - 260) ** 2 + (y - 300) ** 2 < 115 ** 2;
    const rgb = disc ? [228, 226, 212] : band ? [170, 160, 140] : [32, 62, 42];
    for (let c = 0; c < 3; c++) upright[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c] + g * (disc ? 0.3 : 1))));
  }
}
// stored as the sensor saw it: a quarter turn anticlockwise of the upright picture (EXIF 6 turns it back)
const stored = new Uint8Array(W * H * 4);
for (let sy = 0; sy < W; sy++) {
  for (let sx = 0; sx < H; sx++) {
    const [x, y] = [W - 1 - sy, sx]; // the upright pixel that EXIF 6 puts where stored (sx, sy) goes
    const s = (sy * H + sx) * 4;
    stored.set(upright.subarray((y * W + x) * 3, (y * W + x) * 3 + 3), s);
    stored[s + 3] = 255;
  }
}
const body = new Uint8Array(jpeg.encode({ width: H, height: W, data: stored }, 90).data);
// APP1 "Exif": a big-endian TIFF header and one IFD entry, Orientation (0x0112) = 6
const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
const exif = [...Buffer.from('Exif\0\0', 'latin1'), ...tiff];
const app1 = [0xff, 0xe1, (exif.length + 2) >> 8, (exif.length + 2) & 255, ...exif];
const out = fileURLToPath(new URL('../docs/images/phone-disc.jpg', import.meta.url));
writeFileSync(out, Uint8Array.from([...body.subarray(0, 2), ...app1, ...body.subarray(2)]));
console.log(`wrote ${out}: stored ${H} x ${W}, EXIF orientation 6 (upright ${W} x ${H})`);
