#!/usr/bin/env node
/**
 * node scripts/make-examples.mjs: (re)draws the bundled example images in
 * examples/images/, one per class of the built-in shapes model, from the
 * project's seeded generator (seeds 7007·10 + class, outside the training
 * and evaluation seeds). `npm run demo` explains them. Build first
 * (npm run build).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAPE_CLASSES, makeShape } from '@maskgrad/models';
import { writePngFile } from '@maskgrad/models/node';

const dir = fileURLToPath(new URL('../examples/images', import.meta.url));
mkdirSync(dir, { recursive: true });
SHAPE_CLASSES.forEach((name, label) => {
  const { image, box } = makeShape(70070 + label, { label });
  writePngFile(join(dir, `${name}.png`), image.width, image.height, image.data, 3);
  console.log(`${name}.png  box [${box.join(', ')}]`);
});
