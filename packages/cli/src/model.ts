/**
 * Model and backend set-up shared by the commands. The commands check the
 * model with checkModel (@maskgrad/models/node) before the weights are read:
 * the config, checked against the tensor shapes in the weights' header (read
 * alone), gives the input size and the labels (labelsFor, @maskgrad/models),
 * which is enough to validate --mask-size, --target (resolveTarget,
 * @maskgrad/perturb) and friends.
 */
import { setBackend } from '@maskgrad/autograd';
import { UsageError } from './errors.js';

/**
 * Use the --backend the user asked for (or MASKGRAD_BACKEND, or auto: the
 * best that works here, WebGPU first) and return its name. A backend that
 * cannot run here is a usage error.
 */
export async function useBackend(requested: string | undefined): Promise<string> {
  try {
    return (await setBackend(requested ?? process.env.MASKGRAD_BACKEND ?? 'auto')).name;
  } catch (e) {
    const source = requested === undefined ? `MASKGRAD_BACKEND=${process.env.MASKGRAD_BACKEND ?? ''}` : `--backend ${requested}`;
    throw new UsageError(`${source} cannot be used: ${(e as Error).message}. Run 'maskgrad info' to see which backends work here.`);
  }
}
