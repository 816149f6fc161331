import { describe, expect, it } from 'vitest';
import { attack, predict, quantize8 } from './attack.js';
import { OptionError } from './options.js';
import { seededTensor, tinyClassifier } from './test-model.js';
import { crossEntropy, noGrad } from '@maskgrad/autograd';

const model = tinyClassifier();
const x = seededTensor([3, 3, 8, 8], 9, 0.1, 0.9);

const ce = async (px: typeof x, labels: number[]) => noGrad(() => crossEntropy(model.forward(model.normalize(px)), labels)).item();

describe('attacks', () => {
  it('an FGSM step raises the loss of the clean label and stays within ε and [0, 1]', async () => {
    const eps = 8 / 255;
    const r = await attack(model, x, { method: 'fgsm', eps });
    expect(r.losses).toHaveLength(1);
    expect(await ce(r.adversarial, r.cleanLabels)).toBeGreaterThan(await ce(x, r.cleanLabels));
    const a = await r.adversarial.data();
    const b = await x.data();
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(eps + 1e-6);
      expect(a[i] >= 0 && a[i] <= 1).toBe(true);
    }
  });

  it('PGD raises it further than FGSM and is seeded', async () => {
    const eps = 0.1;
    const fgsm = await attack(model, x, { method: 'fgsm', eps });
    const pgd = await attack(model, x, { method: 'pgd', eps, steps: 10, seed: 3 });
    const again = await attack(model, x, { method: 'pgd', eps, steps: 10, seed: 3 });
    expect(await ce(pgd.adversarial, pgd.cleanLabels)).toBeGreaterThan(await ce(fgsm.adversarial, fgsm.cleanLabels));
    expect(Array.from(await pgd.adversarial.data())).toEqual(Array.from(await again.adversarial.data()));
  });

  it('a targeted PGD lowers the loss of the target', async () => {
    const before = await predict(model, x);
    const target = (before[0] + 1) % 3;
    const r = await attack(model, x.slice(0, 0, 1), { method: 'pgd', eps: 0.3, steps: 20, target, randomStart: false });
    expect(await ce(r.adversarial, [target])).toBeLessThan(await ce(x.slice(0, 0, 1), [target]));
  });

  it('quantizes to 8 bits like a PNG round trip', async () => {
    const q = await (await quantize8(x)).data();
    for (const v of q) expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
  });

  it('rejects bad options', async () => {
    await expect(attack(model, x, { method: 'fgsm', eps: 0 })).rejects.toThrow(OptionError);
    await expect(attack(model, x, { method: 'pgd' as const, eps: 2 })).rejects.toThrow(/eps/);
    await expect(attack(model, x, { method: 'bim' as never, eps: 0.1 })).rejects.toThrow(/method/);
    await expect(attack(model, x, { eps: 0.1, steps: 0 })).rejects.toThrow(/steps/);
    await expect(attack(model, x, { eps: 0.1, target: 7 })).rejects.toThrow(/target/);
  });
});
