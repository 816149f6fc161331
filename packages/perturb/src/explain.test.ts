import { describe, expect, it } from 'vitest';
import { noGrad } from '@maskgrad/autograd';
import { explain, explainBatch, weakPerturbationNote } from './explain.js';
import { baselineOf } from './meaningful/meaningful.js';
import { OptionError, resolveMeaningful, resolveOptions } from './options.js';
import { seededTensor, tinyClassifier } from './test-model.js';

const model = tinyClassifier();
const x = seededTensor([2, 3, 8, 8], 5, 0, 1);
const quick = { method: 'meaningful', iterations: 5, maskSize: 4, blurSigma: 1, jitter: 1 } as const;

describe('explain (the meaningful perturbation)', () => {
  it('returns the documented result, and the mask stays in [0, 1]', async () => {
    const r = await explain(model, x.slice(0, 0, 1), { ...quick, target: 'b' });
    expect(r.target).toBe(1);
    expect(r.label).toBe('b');
    expect(r.mask.width).toBe(4);
    expect(r.mask.values.length).toBe(16);
    expect(r.upsampledMask.values.length).toBe(64);
    expect(r.history.map((h) => h.iteration)).toEqual([0, 1, 2, 3, 4]);
    expect(r.perturbed.length).toBe(3 * 64);
    for (const v of r.mask.values) expect(v >= 0 && v <= 1).toBe(true);
    expect(r.probabilityBefore).toBeGreaterThan(0);
  });

  it('reports the probability of the fully perturbed image, and notes when the perturbation keeps the class', async () => {
    const rs = await explainBatch(model, x, { ...quick, iterations: 2 });
    const o = resolveMeaningful(quick, 8);
    const p = await noGrad(() => model.forward(model.normalize(baselineOf(x, o))).softmax(-1)).data();
    const c = model.labels.length;
    rs.forEach((r, k) => expect(Math.abs(r.probabilityPerturbed - p[k * c + r.target])).toBeLessThan(1e-6));
    const r = rs[0];
    expect(weakPerturbationNote({ ...r, probabilityBefore: 0.9, probabilityPerturbed: 0.44 })).toBeNull();
    expect(weakPerturbationNote({ ...r, probabilityBefore: 0.9, probabilityPerturbed: 0.46 })).toMatch(/blurred with σ 1 px still scores/);
  });

  it('refuses normalized input (values outside [0, 1]) and says what to pass', async () => {
    await expect(explain(model, x.slice(0, 0, 1).sub(0.5).mul(2), quick)).rejects.toThrow(/not normalized: pass model\.resize\(model\.pixels\(image\)\)/);
  });

  it('is deterministic under a seed, and the seed matters when there is noise', async () => {
    const opts = { ...quick, maskNoise: 0.3, seed: 42 };
    const a = await explainBatch(model, x, opts);
    const b = await explainBatch(model, x, opts);
    const c = await explainBatch(model, x, { ...opts, seed: 43 });
    expect(Array.from(a[1].mask.values)).toEqual(Array.from(b[1].mask.values));
    expect(Array.from(a[1].mask.values)).not.toEqual(Array.from(c[1].mask.values));
  });

  it('a batch gives each image the mask it gets alone (the objective separates)', async () => {
    const opts = { ...quick, maskNoise: 0, jitter: 0 };
    const batch = await explainBatch(model, x, opts);
    const alone = await explain(model, x.slice(0, 1, 2), opts);
    const d = batch[1].mask.values.map((v, i) => Math.abs(v - alone.mask.values[i]));
    expect(Math.max(...d)).toBeLessThan(1e-5);
  });

  it('runs every game and perturbation', async () => {
    for (const game of ['deletion', 'preservation'] as const) {
      for (const perturbation of ['blur', 'constant', 'noise'] as const) {
        const r = await explain(model, x.slice(0, 0, 1), { ...quick, iterations: 2, game, perturbation });
        expect(r.history.length).toBe(2);
      }
    }
    const r = await explain(model, x.slice(0, 0, 1), { ...quick, iterations: 1, perturbation: 'constant', constantColor: [1, 0, 0] });
    expect(r.baseline[0]).toBe(1);
    expect(r.baseline[64]).toBe(0);
  });
});

describe('bad options are rejected before any work, with a message naming them', () => {
  it.each([
    [{ iterations: -1 }, /iterations: -1; a whole number/],
    [{ iterations: 2.5 }, /iterations/],
    [{ maskSize: 0 }, /maskSize: 0/],
    [{ blurSigma: 0 }, /blurSigma: 0; a positive number/],
    [{ blurSigma: -3 }, /blurSigma/],
    [{ lr: 0 }, /lr/],
    [{ tvBeta: 0.5 }, /tvBeta/],
    [{ jitter: 100 }, /jitter/],
    [{ seed: -1 }, /seed/],
    [{ game: 'hide' }, /game: "hide"; either 'deletion' or 'preservation'/],
    [{ perturbation: 'pixelate' }, /perturbation/],
    [{ constantColor: [2, 0, 0] }, /constantColor/],
    [{ blurSigma: 5 }, /blurSigma: 5; at most 2\.33 for a 8-pixel image/],
  ])('%o', (opts, message) => {
    expect(() => resolveOptions({ method: 'meaningful', ...opts } as never, 8)).toThrow(OptionError);
    expect(() => resolveOptions({ method: 'meaningful', ...opts } as never, 8)).toThrow(message);
  });

  it.each([
    [{ areas: [] }, /areas: \[\]; one or more fractions/],
    [{ areas: [0.1, 1.2] }, /areas/],
    [{ areas: [0.1, 0.1] }, /distinct areas/],
    [{ keepShare: 0 }, /keepShare/],
    [{ levels: 1 }, /levels: 1; a whole number from 2/],
    [{ maskStep: 0 }, /maskStep/],
    [{ game: 'hide' }, /game: "hide"; one of 'preservation', 'deletion' or 'dual'/],
    [{ reward: 'huge' }, /reward/],
    [{ blurSigma: 3 }, /blurSigma: 3; a positive number of pixels below 2\.33 for a 8-pixel image/],
    [{ l1: 0.1 }, /l1: 0\.1; no l1 here: it belongs to method 'meaningful', and this explanation uses method 'extremal'/],
    [{ method: 'meaningful', areas: [0.1] }, /areas: \[0\.1\]; no areas here: it belongs to method 'extremal'/],
    [{ method: 'meaningful', game: 'dual' }, /the dual game belongs to method 'extremal'/],
    [{ preset: 'modern' }, /preset: "modern"; 'classic'/],
  ])('extremal and shared: %o', (opts, message) => {
    expect(() => resolveOptions(opts as never, 8)).toThrow(OptionError);
    expect(() => resolveOptions(opts as never, 8)).toThrow(message);
  });

  it('an unknown class label or index', async () => {
    await expect(explain(model, x.slice(0, 0, 1), { ...quick, target: 'giraffe' })).rejects.toThrow(/target: "giraffe"; one of this model's labels \('a', 'b', 'c'\) or a class index from 0 to 2/);
    await expect(explain(model, x.slice(0, 0, 1), { ...quick, target: 'A' })).rejects.toThrow(/\('a', 'b', 'c'\), such as 'a' or a class/);
    await expect(explain(model, x.slice(0, 0, 1), { ...quick, target: 3 })).rejects.toThrow(/target: 3; a class index from 0 to 2 \(this model has 3 classes\)/);
    await expect(explain(model, x.slice(0, 0, 1), { ...quick, target: '2', iterations: 1 })).resolves.toMatchObject({ target: 2, label: 'c' });
  });

  it('reports progress every iteration', async () => {
    const seen: number[] = [];
    await explain(model, x.slice(0, 0, 1), { ...quick, iterations: 3, onProgress: (p) => seen.push(p.iteration) });
    expect(seen).toEqual([0, 1, 2]);
  });
});
