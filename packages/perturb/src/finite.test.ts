import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@maskgrad/autograd';
import { NonFiniteError } from '@maskgrad/models';
import { gaussianTaps } from './blur.js';
import { explain, explainBatch } from './explain.js';
import type { Classifier } from './objective.js';
import { OptionError, resolveOptions, showValue } from './options.js';
import { seededTensor, tinyClassifier } from './test-model.js';

const model = tinyClassifier();
const x = seededTensor([2, 3, 8, 8], 5, 0, 1);
const quick = { method: 'meaningful', iterations: 5, maskSize: 4, blurSigma: 1 } as const;

/** The tiny model, whose logits for image `image` turn to `bad` from forward call `from` on (1 = the unperturbed pass). */
function failingFrom(from: number, image: number, bad = NaN): Classifier {
  let calls = 0;
  return {
    labels: model.labels,
    normalize: (p) => model.normalize(p),
    forward(input: Tensor): Tensor {
      const y = model.forward(input);
      if (++calls < from) return y;
      const scale = Float32Array.from({ length: input.shape[0] }, (_, k) => (k === image ? bad : 1));
      return y.mul(tensor(scale, [input.shape[0], 1]));
    },
  };
}

async function rejection(run: Promise<unknown>): Promise<NonFiniteError> {
  const e = await run.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(NonFiniteError);
  return e as NonFiniteError;
}

describe('a non-finite value stops the explanation, naming the iteration, the image and the term', () => {
  it('the probability turning NaN at the third iteration, for the second image', async () => {
    const e = await rejection(explainBatch(failingFrom(4, 1), x, quick));
    expect(e.message).toMatch(/^iteration 3 of 5, image 2: the target probability f_c\(Φ\(x; M\)\) is NaN\. The model's output is not finite/);
    expect(e.withImageNames(['a.png', 'b.png']).message).toMatch(/^iteration 3 of 5, b\.png: the target/);
  });

  it('the extremal perturbation too: batch row 2 (image 2, its first area) turning NaN at the second iteration', async () => {
    const extremal = { method: 'extremal', iterations: 5, areas: [0.1, 0.3], game: 'preservation', blurSigma: 1 } as const;
    const e = await rejection(explainBatch(failingFrom(3, 2), x, extremal));
    expect(e.message).toMatch(/^iteration 2 of 5, image 2: the target probability of the perturbed image is NaN\. The model's output is not finite/);
  });

  it('a model that is not finite from the start is stopped before the first step', async () => {
    const e = await rejection(explainBatch(failingFrom(1, 0, Infinity), x, quick));
    expect(e.message).toMatch(/^image 1: a class probability of the unperturbed image is NaN/);
  });

  it('a gradient that is not finite (the loss still is) is caught in the mask after the step', async () => {
    // 0 · sqrt(|z − z|) adds 0 to the logits, but its gradient is 0 · ∞ = NaN
    let calls = 0;
    const nanGradient: Classifier = {
      labels: model.labels,
      normalize: (p) => model.normalize(p),
      forward(input) {
        const y = model.forward(input);
        if (++calls < 3) return y;
        return y.add(input.sub(input.detach()).abs().sqrt().sum().mul(0));
      },
    };
    const e = await rejection(explain(nanGradient, x.slice(0, 0, 1), quick));
    expect(e.message).toMatch(/^iteration 2 of 5, image 1: the mask after the Adam step is NaN\. The gradient of the objective was not finite/);
  });
});

describe('options that would overflow the objective are refused; tiny values are computed stably', () => {
  it.each([
    [{ l1: 1e300 }, /invalid option l1: 1e\+300; a number from 0 to 1000000/],
    [{ tv: 1e7 }, /invalid option tv: 10000000; a number from 0 to 1000000/],
    [{ tvBeta: 1e300 }, /invalid option tvBeta: 1e\+300; a number from 1 to 10/],
    [{ l1: Infinity }, /invalid option l1: Infinity;/],
    [{ constantColor: [NaN, 0, 0] }, /invalid option constantColor: \["NaN",0,0\];/],
  ])('%o', (opts, message) => {
    expect(() => resolveOptions({ method: 'meaningful', ...opts } as never, 8)).toThrow(OptionError);
    expect(() => resolveOptions({ method: 'meaningful', ...opts } as never, 8)).toThrow(message);
  });

  it('names values JSON cannot: 1e309 is Infinity, not null', () => {
    expect(showValue(Number('1e309'))).toBe('Infinity');
    expect(showValue('x')).toBe('"x"');
  });

  it('a blur σ of 1e-300 is the identity (the taps were NaN: 0/0), and the explanation stays finite', async () => {
    expect(Array.from(gaussianTaps(1e-300))).toEqual([0, 1, 0]);
    const r = await explain(model, x.slice(0, 0, 1), { ...quick, blurSigma: 1e-300, l1: 1e6 });
    expect(r.mask.values.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(r.probabilityAfter)).toBe(true);
  });
});
