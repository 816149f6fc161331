// The transfer evaluation's models (tests/fixtures/transfer) load in their own layouts and still
// classify as their training.json says, and eval:transfer refuses bad options with exit 2.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateAccuracy, loadModel, makeShapesDataset } from '@maskgrad/models/node';

const root = join(__dirname, '..');
const transfer = (name: string) => join(root, 'tests/fixtures/transfer', name);

describe('transfer models', () => {
  it.each([
    ['shapes-p8-hf', { layout: 'hf', patchSize: 8, hiddenSize: 48, numLayers: 3, globalPool: 'token' }],
    ['shapes-avg-timm', { layout: 'timm', patchSize: 16, hiddenSize: 96, numLayers: 4, globalPool: 'avg', fcNorm: true }],
  ])('%s loads as trained and classifies standard shapes near its recorded accuracy', async (name, shape) => {
    const model = loadModel(transfer(name));
    expect(model.config).toMatchObject(shape);
    const training = JSON.parse(readFileSync(join(transfer(name), 'training.json'), 'utf8'));
    const samples = makeShapesDataset(100, 2002, { difficulty: training.dataset.difficulty });
    const accuracy = await evaluateAccuracy(model, samples.map((s) => s.image), samples.map((s) => s.label), 50);
    // 100 images: within 0.1 of the accuracy on its 1000 test images (binomial sd ≈ 0.03)
    expect(Math.abs(accuracy - training.testAccuracy)).toBeLessThan(0.1);
  });
});

describe('npm run eval:transfer', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts/eval-transfer.mjs'), ...args], { encoding: 'utf8' });
  it('refuses bad options with exit 2, naming the option', () => {
    for (const [args, message] of [[['--images', '0'], /--images must be a whole number ≥ 1, got '0'/], [['--rows', 'nope'], /unknown row 'nope' in --rows/], [['--jobs', 'x'], /--jobs/]] as const) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
