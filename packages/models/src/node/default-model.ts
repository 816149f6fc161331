/**
 * Node-only: the built-in model, a small ViT that maskgrad trained itself
 * on the shapes task (`npm run train`; see assets/shapes-vit/training.json),
 * so a fresh offline clone can explain real predictions.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ImageClassifier } from '../classifier.js';
import { CheckpointError } from '../errors.js';
import { loadModel, type LoadModelOptions } from './load-model.js';

/**
 * The folder packages/models/assets/shapes-vit. This module runs from
 * src/node/default-model.ts (tests) or bundled into dist/*.js, so the
 * package root is two or one levels up: the one holding package.json.
 */
export function defaultModelPath(): string {
  for (const up of ['../../', '../']) {
    const root = new URL(up, import.meta.url);
    if (existsSync(new URL('package.json', root))) return fileURLToPath(new URL('assets/shapes-vit', root));
  }
  return fileURLToPath(new URL('../assets/shapes-vit', import.meta.url));
}

/** Load the built-in shapes model (classes: disc, square, triangle, cross, ring). */
export function loadDefaultModel(opts: LoadModelOptions = {}): ImageClassifier {
  const dir = defaultModelPath();
  if (!existsSync(dir)) {
    throw new CheckpointError({
      file: dir, expected: 'the built-in shapes model', found: 'no such folder',
      hint: 'Run `npm run train` from the repository root to train it (about 40 minutes on 2 CPU cores).',
    });
  }
  return loadModel(dir, opts);
}
