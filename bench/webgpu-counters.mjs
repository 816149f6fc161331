// WebGPU calls per explainer iteration, in steady state: the backend's counters (kernels, submits,
// buffers_created, bind_groups_created, bytes_written, bytes_read, map_async; see
// packages/kernels/src/webgpu-device.ts) differenced between the progress events of iterations
// `from` and `from + 1` (the first iterations compile kernels and fill the buffer pool).
import { explain } from '@maskgrad/perturb';

/** Counters of one explainer iteration of `options` on `model` and `image`, on the current webgpu backend. */
export async function countersPerIteration(backend, model, image, options, from = 2) {
  const seen = [];
  await explain(model, image, { ...options, iterations: from + 2, onProgress: () => seen.push(backend.counters()) });
  const [a, b] = [seen[from], seen[from + 1]];
  return Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - a[k]]));
}
