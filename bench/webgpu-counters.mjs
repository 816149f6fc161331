// WebGPU calls per explainer iteration, in steady state: the backend's counters (kernels, submits,
// buffers_created, bind_groups_created, bytes_written, bytes_read, map_async; see
// packages/kernels/src/webgpu-device.ts) differenced between the progress events of two iterations
// after the first (the first compiles kernels and fills the buffer pool).
import { ImageClassifier } from '@maskgrad/models';
import { loadDefaultModel, readImageFile } from '@maskgrad/models/node';
import { setBackend, tensor } from '@maskgrad/autograd';
import { closeNodeWebGPU } from '@maskgrad/kernels';
import { explain } from '@maskgrad/perturb';
import { TINY, randomVit, seededFloats } from './vit-configs.mjs';

/** Counters of one explainer iteration (the one after iteration `from`) of `options` on `model` and `image`. */
export async function countersPerIteration(backend, model, image, options, from = 1) {
  const seen = [];
  await explain(model, image, { ...options, iterations: from + 2, onProgress: () => seen.push(backend.counters()) });
  const [a, b] = [seen[from], seen[from + 1]];
  return Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - a[k]]));
}

/**
 * What `npm run bench -- --json` prints under backends.webgpu.per_iteration: one iteration of the
 * default (extremal) explanation of disc.png on the 64 px built-in model, and one of the meaningful
 * perturbation on a 224 px ViT-Tiny (random weights; `tinyOptions` to change it).
 */
export async function webgpuPerIteration(backend, tinyOptions = { method: 'meaningful' }) {
  const model = loadDefaultModel();
  const disc = model.resize(model.pixels(readImageFile(new URL('../examples/images/disc.png', import.meta.url).pathname)));
  const builtin64 = await countersPerIteration(backend, model, disc, {});
  disc.dispose();
  const tiny = new ImageClassifier(randomVit(TINY), TINY);
  const image = tensor(seededFloats(3 * 224 * 224, 7, 0, 1), [1, 3, 224, 224]);
  const vitTiny224 = await countersPerIteration(backend, tiny, image, { target: 0, ...tinyOptions });
  image.dispose();
  return { builtin_64px_extremal_default: builtin64, vit_tiny_224px: { options: tinyOptions, ...vitTiny224 } };
}

// node bench/webgpu-counters.mjs: print them (MASKGRAD_WEBGPU_DISCIPLINE=off: gpu.js's own submission, for comparison)
if (import.meta.url === `file://${process.argv[1]}`) {
  const backend = await setBackend('webgpu');
  console.log(JSON.stringify({ adapter: backend.adapterInfo, discipline: process.env.MASKGRAD_WEBGPU_DISCIPLINE ?? 'on', ...(await webgpuPerIteration(backend)) }, null, 2));
  closeNodeWebGPU();
}
