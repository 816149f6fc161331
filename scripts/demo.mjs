#!/usr/bin/env node
/**
 * npm run demo [-- --out <dir>]: explain the bundled example images (examples/images/, one per
 * class) with the built-in shapes model and the shipped defaults, as one
 * batch (one mask per image), offline. Writes out/demo/<image>/ (collage.png,
 * mask.png, heatmap.png, perturbed.png, blurred.png, result.json,
 * report.html) and out/demo/overview.png (every collage, stacked).
 * Uses the built packages (npm run demo builds them first).
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join, parse, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackend } from '@maskgrad/autograd';
import { defaultModelPath, loadDefaultModel, readImageFile, writePngFile } from '@maskgrad/models/node';
import { afterPhrase, describeOptions, methodTitle, perturbBatch, stackRows, weakPerturbationNote } from '@maskgrad/perturb/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const imagesDir = join(root, 'examples/images');
/** --out <dir> writes elsewhere (the tests use it); default out/demo. */
const at = process.argv.indexOf('--out');
const outDir = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(root, 'out/demo');
const images = readdirSync(imagesDir).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().map((f) => join(imagesDir, f));
const folders = images.map((f) => join(outDir, parse(f).name));
mkdirSync(outDir, { recursive: true });

const t0 = performance.now();
const model = loadDefaultModel();
console.error(`demo: explaining ${images.length} images from ${relative(root, imagesDir)}/ with the built-in model (${relative(root, defaultModelPath())}), backend ${getBackend().name}, as one batch`);
let last = 0;
const results = await perturbBatch(images, model, folders, null, {
  modelName: 'built-in shapes-vit',
  onProgress: (p) => {
    const now = performance.now();
    if (process.stderr.isTTY && (now - last > 250 || p.iteration + 1 === p.iterations)) {
      last = now;
      process.stderr.write(`\r  iteration ${p.iteration + 1}/${p.iterations}`);
    }
  },
});
if (process.stderr.isTTY) process.stderr.write('\n');

// every collage, one below the other, on a white page
const page = stackRows(folders.map((f) => readImageFile(join(f, 'collage.png'))), 4);
writePngFile(join(outDir, 'overview.png'), page.width, page.height, page.data, 3);

console.log(`demo: ${methodTitle(results[0].options)}: ${describeOptions(results[0].options)}`);
for (const [i, r] of results.entries()) {
  const area = r.areas ? `area ${r.areas[r.chosenArea].area}` : `mask mean ${(r.mask.values.reduce((a, b) => a + b, 0) / r.mask.values.length).toFixed(3)}`;
  console.log(`${parse(images[i]).base.padEnd(13)} '${r.label}' p=${r.probabilityBefore.toFixed(3)}, ${r.probabilityAfter.toFixed(3)} ${afterPhrase(r.options.game)}; ${area} → ${relative(process.cwd(), folders[i])}/`);
  const note = weakPerturbationNote(r);
  if (note !== null) console.log(`  note: ${note}`);
}
console.log(`demo: wrote ${relative(process.cwd(), outDir)}/<image>/ (collage.png, result.json, report.html, …) and ${relative(process.cwd(), join(outDir, 'overview.png'))} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
