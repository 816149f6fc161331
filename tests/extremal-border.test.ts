/**
 * Issue 20, item 3: no discs along the image border. On generated shapes
 * whose object is central (its box at least 2σ from every edge, σ the mask's
 * smoothing), the built-in model's explanation with the shipped defaults
 * puts almost none of its mass within σ of the border: a region on the
 * object (a disc of radius σ/2 around each cell, a shoulder that falls to
 * e⁻² at 1.5σ) does not reach that strip, which is 34% of a 64 px image.
 * The bound, BORDER_SHARE of the mass, is a tenth of what a uniform map puts
 * there; before the fix the saliency put 0.33 of its mass there on average
 * on the fixture (src/eval/README.md, "Border discs").
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultModel, makeShapesDataset } from '@maskgrad/models/node';
import { borderShare, explainBatch, regionOfExplanation, resolveOptions, saliencyOfExplanation } from '@maskgrad/perturb';

const BORDER_SHARE = 0.034;

describe('the extremal explanation leaves the border alone', () => {
  it(`central objects: saliency and reported mask put ≤ ${BORDER_SHARE} of their mass within σ of the border`, async () => {
    const model = loadDefaultModel();
    const side = model.imageSize;
    const o = resolveOptions({ method: 'extremal' }, side);
    if (o.method !== 'extremal') throw new Error('unreachable');
    const sigma = o.maskSigma;
    const central = makeShapesDataset(200, 6006).filter(({ box: [x0, y0, x1, y1] }) => Math.min(x0, y0, side - 1 - x1, side - 1 - y1) >= 2 * sigma).slice(0, 4);
    expect(central.length).toBe(4);
    const px = central.map((s) => model.resize(model.pixels(s.image)));
    const results = await explainBatch(model, px[0].concat(px.slice(1), 0), {});
    for (const r of results) {
      const saliency = borderShare(saliencyOfExplanation(r), side, side, sigma);
      const mask = borderShare(regionOfExplanation(r), side, side, sigma);
      expect(saliency, `saliency of a ${r.label}`).toBeLessThanOrEqual(BORDER_SHARE);
      expect(mask, `reported mask of a ${r.label}`).toBeLessThanOrEqual(BORDER_SHARE);
    }
  }, 600_000);
});
