/**
 * The optimisation loop both explainers share (./meaningful/, ./extremal/). Each iteration, in
 * one tidy() scope (everything it makes is disposed when it ends): the loss, its gradient
 * (`backward()`, synchronous: it queues kernels), the optimizer's step, and one small readback
 * tensor built under noGrad. Then the one await of the iteration, reading that tensor back; its
 * values checked finite against the method's table of terms (./finite.ts) and handed on.
 */
import { noGrad, tidy, type Optimizer, type Tensor } from '@maskgrad/autograd';
import { checkTerms, type Term } from './finite.js';

export interface IterationPlan {
  iterations: number;
  optimizer: Optimizer;
  /** Iteration i's loss (one element), and what to read back after the step. */
  step(i: number): { loss: Tensor; readback: () => Tensor };
  /** The readback's columns that must be finite, the cause first. */
  terms: readonly Term[];
  /** Rows of the readback per image (extremal: one per area). */
  rowsPerImage?: number;
  /** Each readback row's image, where rows are not image-major. */
  images?: readonly number[];
  /** The checked readback of iteration i: rows of `width`. */
  record(values: Float32Array, width: number, i: number): void;
}

/**
 * Host backends run kernels as they are called, so the awaits of a long run may all resolve at
 * once: give the event loop a turn now and then, so that timers, I/O and progress output run.
 */
let lastYield = 0;
async function yieldNowAndThen(): Promise<void> {
  const now = Date.now();
  if (now - lastYield < 50) return;
  lastYield = now;
  await new Promise((resolve) => setTimeout(resolve, 0));
}

export async function iterate(plan: IterationPlan): Promise<void> {
  for (let i = 0; i < plan.iterations; i++) {
    const readback = tidy(() => {
      const { loss, readback } = plan.step(i);
      plan.optimizer.zeroGrad();
      loss.backward();
      plan.optimizer.step();
      return noGrad(readback);
    });
    let values: Float32Array;
    try {
      values = await readback.data();
    } finally {
      readback.dispose();
    }
    const width = readback.shape[1]!;
    checkTerms(values, width, plan.terms, { iteration: i, iterations: plan.iterations, rowsPerImage: plan.rowsPerImage, images: plan.images });
    plan.record(values, width, i);
    await yieldNowAndThen();
  }
}
