/**
 * Model and backend set-up shared by the commands. The commands check the
 * model with checkModel (@maskgrad/models/node) before the weights are read:
 * the config, checked against the tensor shapes in the weights' header (read
 * alone), gives the input size and the labels (labelsFor, @maskgrad/models),
 * which is enough to validate --mask-size, --target (resolveTarget,
 * @maskgrad/perturb) and friends.
 */
import { setBackend } from '@maskgrad/autograd';
import { useMatmulThreads } from '@maskgrad/kernels/node';
import { UsageError } from './errors.js';

/**
 * Use the --backend the user asked for (or MASKGRAD_BACKEND, or auto: the
 * best that works here, WebGPU first) and return its name. A backend that
 * cannot run here is a usage error.
 */
export async function useBackend(requested: string | undefined): Promise<string> {
  const threads = matmulThreads();
  let name: string;
  try {
    name = (await setBackend(requested ?? process.env.MASKGRAD_BACKEND ?? 'auto')).name;
  } catch (e) {
    const source = requested === undefined ? `MASKGRAD_BACKEND=${process.env.MASKGRAD_BACKEND ?? ''}` : `--backend ${requested}`;
    throw new UsageError(`${source} cannot be used: ${(e as Error).message}. Run 'maskgrad info' to see which backends work here.`);
  }
  // webasm: large matmuls on MASKGRAD_MATMUL_THREADS threads (worker threads over a shared memory);
  // one by default, as two lost to one on this project's shared 2-core machine (README, Speed)
  if (name === 'webasm' && threads > 1) useMatmulThreads(threads);
  return name;
}

/** MASKGRAD_MATMUL_THREADS (a count ≥ 1), else 1. */
function matmulThreads(): number {
  const raw = process.env.MASKGRAD_MATMUL_THREADS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`MASKGRAD_MATMUL_THREADS=${raw} is not a thread count: use a whole number from 1 (one thread) up, or unset it for one.`);
  return n;
}
