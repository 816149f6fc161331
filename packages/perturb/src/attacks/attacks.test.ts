import { describe, expect, it } from 'vitest';
import { crossEntropy, noGrad } from '@maskgrad/autograd';
import { attack, predict, quantize8 } from '../attack.js';
import { OptionError } from '../options.js';
import { seededTensor, tinyClassifier } from '../test-model.js';
import { carliniWagnerL2 } from './cw.js';
import { lowFrequencyAttack } from './low-frequency.js';

const model = tinyClassifier();
const x = seededTensor([6, 3, 8, 8], 21, 0.05, 0.95);
const ce = async (px: typeof x, labels: number[]) => noGrad(() => crossEntropy(model.forward(model.normalize(px)), labels)).item();

describe('PGD with restarts', () => {
  it('keeps each image\'s best run: at least as many successes as one run, the bound exact, seeded', async () => {
    const eps = 0.04;
    const one = await attack(model, x, { eps, steps: 20, stepSize: eps / 8, seed: 1 });
    const five = await attack(model, x, { eps, steps: 20, stepSize: eps / 8, seed: 1, restarts: 5 });
    const clean = one.cleanLabels;
    const wins = async (a: typeof x) => (await predict(model, a)).filter((p, i) => p !== clean[i]).length;
    expect(await wins(five.adversarial)).toBeGreaterThanOrEqual(await wins(one.adversarial));
    const [a, b] = [await five.adversarial.data(), await x.data()];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(eps + 1e-6);
    const again = await attack(model, x, { eps, steps: 20, stepSize: eps / 8, seed: 1, restarts: 5 });
    expect(Array.from(await again.adversarial.data())).toEqual(Array.from(a));
    await expect(attack(model, x, { method: 'fgsm', eps, restarts: 2 })).rejects.toThrow(/restarts/);
    await expect(attack(model, x, { eps, restarts: 0 })).rejects.toThrow(OptionError);
  });

  it('8-bit rounding moves a pixel by at most half a level: the bound becomes ε + 0.5/255', async () => {
    const eps = 2 / 255;
    const r = await attack(model, x, { eps, steps: 5, seed: 2 });
    const [q, b] = [await (await quantize8(r.adversarial)).data(), await x.data()];
    for (let i = 0; i < q.length; i++) expect(Math.abs(q[i] - b[i])).toBeLessThanOrEqual(eps + 0.5 / 255 + 1e-6);
  });
});

describe('Carlini–Wagner L2', () => {
  it('fools the model on most images, reports the true L2, stays in [0, 1], and spends little L2', async () => {
    const r = await carliniWagnerL2(model, x, { steps: 60, searchSteps: 4, lr: 0.05 });
    const labels = await predict(model, r.adversarial);
    expect(r.success.filter(Boolean).length).toBeGreaterThanOrEqual(4); // of 6
    const [a, b] = [await r.adversarial.data(), await x.data()];
    const plane = 3 * 8 * 8;
    r.success.forEach((ok, k) => {
      let d = 0;
      for (let j = 0; j < plane; j++) {
        d += (a[k * plane + j] - b[k * plane + j]) ** 2;
        expect(a[k * plane + j] >= 0 && a[k * plane + j] <= 1).toBe(true);
      }
      expect(Math.sqrt(d)).toBeCloseTo(r.l2[k], 4);
      expect(labels[k] !== r.cleanLabels[k]).toBe(ok);
    });
    // an L2 attack spends little: well under a uniform ±8/255 shift of every pixel (√192 · 8/255 = 0.43)
    const found = r.l2.filter((_, k) => r.success[k]);
    expect(found.reduce((s, v) => s + v, 0) / found.length).toBeLessThan(0.43);
    await expect(carliniWagnerL2(model, x, { searchSteps: 0 })).rejects.toThrow(/searchSteps/);
  });
});

describe('low-frequency PGD', () => {
  it('raises the loss with a perturbation that is exactly within ε and smooth (one value per channel at resolution 1)', async () => {
    const eps = 0.05;
    const r = await lowFrequencyAttack(model, x, { eps, resolution: 1, steps: 20, seed: 3 });
    expect(await ce(r.adversarial, r.cleanLabels)).toBeGreaterThan(await ce(x, r.cleanLabels));
    const [a, b] = [await r.adversarial.data(), await x.data()];
    const side = 64;
    for (let p = 0; p < 6 * 3; p++) {
      // away from the [0, 1] clip, every pixel of a channel moved by the same δ
      const moved = Array.from({ length: side }, (_, j) => a[p * side + j] - b[p * side + j]).filter((_, j) => a[p * side + j] > 0 && a[p * side + j] < 1);
      for (const d of moved) {
        expect(Math.abs(d)).toBeLessThanOrEqual(eps + 1e-6);
        expect(d).toBeCloseTo(moved[0], 5);
      }
    }
    await expect(lowFrequencyAttack(model, x, { eps, resolution: 9 })).rejects.toThrow(/resolution/);
  });
});
