import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageClassifier, inputGeometry, type Preprocessing } from '@maskgrad/models';
import { decodeImage } from '@maskgrad/models/node';
import { photoSampling, sampleOnPhoto } from './photo-render.js';
import { perturb } from './node/perturb.js';
import { tinyClassifier } from './test-model.js';

/** timm's centre mode for an 8 px model: the short side to 9, the centre 8 × 8 kept. */
const centreCrop: Preprocessing = { resize: { kind: 'shortest-edge', edge: 9 }, resample: 'bicubic', crop: { width: 8, height: 8, offset: 'half-even' }, source: 'test' };

describe('the explanation on the photo', () => {
  it('maps photo pixels through the resize and the crop; the part outside the crop is unseen', () => {
    const g = inputGeometry(centreCrop, 60, 36, 8); // resized 15 × 9, crop at (4, 0)
    expect(g).toEqual({ source: { width: 60, height: 36 }, resized: { width: 15, height: 9 }, crop: { left: 4, top: 0, width: 8, height: 8 } });
    const s = photoSampling(g);
    const seenColumns = Array.from({ length: 60 }, (_, x) => s.seen[x]);
    // input columns 0..7 are resized columns 4..11, i.e. photo x in [16, 48): 32 columns
    expect(seenColumns.indexOf(1)).toBe(16);
    expect(seenColumns.lastIndexOf(1)).toBe(47);
    // the bottom resized row (8 of 0..8) is cropped away: the last 4 photo rows are unseen
    expect(Array.from({ length: 36 }, (_, y) => s.seen[y * 60 + 30]).lastIndexOf(1)).toBe(31);
    // a ramp over the input's columns comes back as a ramp: photo x ↦ (x + ½)·15/60 − ½ − 4
    const ramp = Float32Array.from({ length: 64 }, (_, i) => i % 8);
    const onPhoto = sampleOnPhoto(ramp, 8, s);
    expect(onPhoto[20 * 60 + 18]).toBeCloseTo(0.125, 6);
    expect(onPhoto[20 * 60 + 32]).toBeCloseTo(3.625, 6);
    expect(onPhoto[20 * 60 + 46]).toBeCloseTo(7, 6); // 7.125, clamped to the last column
  });

  it('perturb() writes every picture at the photo\'s size, the unseen part grey, and the geometry in result.json', async () => {
    const tiny = tinyClassifier();
    const model = new ImageClassifier(tiny.vit, { ...tiny.config, preprocessing: centreCrop });
    const photo = { width: 60, height: 36, data: Uint8Array.from({ length: 60 * 36 * 3 }, (_, i) => (i % 3 === 0 ? 220 : 30)) };
    const out = join(mkdtempSync(join(tmpdir(), 'maskgrad-photo-')), 'out');
    await perturb(photo, model, out, null, { iterations: 2, areas: [0.2] });
    for (const f of ['mask.png', 'heatmap.png', 'perturbed.png', 'blurred.png']) {
      const png = decodeImage(readFileSync(join(out, f)), f);
      expect([png.width, png.height]).toEqual([60, 36]);
      // photo pixel (2, 2) lies outside the crop: grey (R = G = B), not the photo's red
      const i = (2 * 60 + 2) * 3;
      expect(png.data[i]).toBe(png.data[i + 1]);
      expect(png.data[i + 1]).toBe(png.data[i + 2]);
    }
    const heat = decodeImage(readFileSync(join(out, 'heatmap.png')));
    expect(heat.data[(18 * 60 + 30) * 3]).not.toBe(heat.data[(18 * 60 + 30) * 3 + 2]); // seen: in colour
    const json = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(json.geometry).toEqual({
      source: { width: 60, height: 36 }, resized: { width: 15, height: 9 }, crop: { left: 4, top: 0, width: 8, height: 8 }, scale: { x: 0.25, y: 0.25 },
    });
    expect(json.upsampledMask).toEqual({ width: 8, height: 8 }); // the mask stays at the model's resolution
  });
});
