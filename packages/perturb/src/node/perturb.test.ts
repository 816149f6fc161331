import { mkdtempSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '@maskgrad/models/node';
import { seededFloats } from '@maskgrad/kernels/testing';
import { OUTPUT_FILES, perturb, perturbBatch } from './perturb.js';
import { tinyClassifier } from '../test-model.js';

const model = tinyClassifier();
const img = (seed: number) => ({ width: 8, height: 8, data: Uint8Array.from(seededFloats(192, seed, 0, 255), (v) => Math.floor(v)) });

describe('perturb() writes the seed project\'s files', () => {
  it('mask, heatmap, perturbed, blurred, collage, result.json and report.html, all readable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgrad-perturb-'));
    const src = join(dir, 'in.png');
    writeFileSync(src, encodePng(8, 8, img(1).data, 3));
    const out = join(dir, 'out');
    const r = await perturb(src, model, out, null, { method: 'meaningful', iterations: 3, maskSize: 4, blurSigma: 1, plot: true });
    expect(readdirSync(out).sort()).toEqual([...OUTPUT_FILES].sort());
    for (const f of OUTPUT_FILES.filter((n) => n.endsWith('.png'))) {
      const png = decodeImage(readFileSync(join(out, f)), f);
      expect(png.width).toBeGreaterThanOrEqual(8);
    }
    const collage = decodeImage(readFileSync(join(out, 'collage.png')));
    expect(collage.width).toBeGreaterThan(4 * 224); // four panels scaled up to ≥ 224 px
    const json = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(json.mask.values.length).toBe(16);
    expect(json.history.length).toBe(3);
    expect(json.target).toBe(r.target);
    expect(json.source).toBe(src);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/data:image\/png;base64,/g)!.length).toBe(5);
  });

  it('plot: false writes only result.json; a batch writes one folder per image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgrad-perturb-'));
    await perturbBatch([img(2), img(3)], model, [join(dir, 'a'), join(dir, 'b')], null, { method: 'meaningful', iterations: 2, maskSize: 4, blurSigma: 1, plot: false });
    expect(readdirSync(join(dir, 'a'))).toEqual(['result.json']);
    expect(readdirSync(join(dir, 'b'))).toEqual(['result.json']);
  });

  it('bad options leave no output behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgrad-perturb-'));
    await expect(perturb(img(4), model, join(dir, 'out'), null, { iterations: 0 })).rejects.toThrow(/iterations/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
