/**
 * @maskgrad/perturb/node: the Node edge — perturb() reads image files and
 * writes the mask, heatmap, perturbed image, blurred image, collage and
 * result.json.
 */
export * from './index.js';
export { attackImage, type AdaptiveAttackFileOptions, type AttackReport, type Prediction } from './node/attack-files.js';
export { perturb, perturbBatch, renderResult, resultJson, OUTPUT_FILES, type PerturbOptions, type Transforms } from './node/perturb.js';
export { checkCreatable, OutputError, recoverStale, writeFolder } from './node/write-folder.js';
