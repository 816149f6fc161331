// The built-in model: its folder resolves to packages/models/assets/shapes-vit from the sources, it
// loads, and it classifies freshly generated held-out shapes well (the full test is scripts/train.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeShapesDataset, SHAPE_CLASSES } from '../data/shapes.js';
import { evaluateAccuracy } from '../train.js';
import { defaultModelPath, loadDefaultModel } from './default-model.js';

const expected = fileURLToPath(new URL('../../assets/shapes-vit', import.meta.url));

describe('defaultModelPath', () => {
  it('is packages/models/assets/shapes-vit', () => {
    expect(defaultModelPath()).toBe(expected);
    expect(defaultModelPath().replaceAll('\\', '/')).toMatch(/packages\/models\/assets\/shapes-vit$/);
  });
});

describe.skipIf(!existsSync(expected))('loadDefaultModel', () => {
  it('loads a 5-class shapes ViT that is right on held-out images', async () => {
    const model = loadDefaultModel();
    expect(model.labels).toEqual([...SHAPE_CLASSES]);
    expect(model.imageSize).toBe(64);
    // 100 images from a seed neither training (1001) nor the recorded test (2002) used
    const data = makeShapesDataset(100, 4242);
    const accuracy = await evaluateAccuracy(model, data.map((s) => s.image), data.map((s) => s.label), 50);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
