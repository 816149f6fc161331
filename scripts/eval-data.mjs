/**
 * The evaluation's images with their object boxes, for scripts/eval.mjs and
 * the tuning scripts: the eight images of the PyTorch fixture (boxes from its
 * reference.safetensors) and generated shapes (boxes from the generator).
 * Uses the BUILT @maskgrad/models.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as models from '@maskgrad/models/node';

export const FIXTURE = fileURLToPath(new URL('../tests/fixtures/shapes-vit-hf', import.meta.url));

/** The fixture's first min(n, 8) images, their boxes (x0, y0, x1, y1 inclusive) and its reference data. */
export function fixtureData(n) {
  const ref = models.readSafetensorsFile(join(FIXTURE, 'reference.safetensors'));
  const k = Math.min(n, 8);
  const images = Array.from({ length: k }, (_, i) => models.readImageFile(join(FIXTURE, `images/img${i}.png`)));
  const boxes = Array.from({ length: k }, (_, i) => {
    const [x0, y0, x1, y1] = ref.read(`box_img${i}`);
    return { x0, y0, x1, y1 };
  });
  return { images, boxes, ref };
}

/**
 * n generated shapes of a seed (packages/models/src/data/shapes.ts) and their boxes; variant
 * 'heldout' is the generator variant kept out of all tuning.
 */
export function shapesData(n, seed, variant = 'standard') {
  const samples = models.makeShapesDataset(n, seed, { variant });
  return { images: samples.map((s) => s.image), boxes: samples.map(({ box: [x0, y0, x1, y1] }) => ({ x0, y0, x1, y1 })), ref: null };
}

/** A tuning script's `--set '<name>=<json of overrides>'` (an empty JSON means no overrides); `fail` gets a message naming the flag. */
export function parseSetFlag(text, fail) {
  const at = text.indexOf('=');
  if (at < 1) return fail(`--set wants '<name>=<json of overrides>', got '${text}'`);
  const label = text.slice(0, at);
  const json = text.slice(at + 1).trim();
  try {
    return { label, over: json === '' ? {} : JSON.parse(json) };
  } catch (e) {
    return fail(`--set '${label}': ${e.message}`);
  }
}
