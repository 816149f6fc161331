#!/usr/bin/env node
/**
 * node scripts/readme-defaults.mjs [--check]: write the shipped defaults
 * (defaultsMarkdown() of the BUILT @maskgrad/perturb, so npm run build first)
 * between the `<!-- defaults -->` and `<!-- /defaults -->` markers of
 * README.md and packages/perturb/README.md. --check only says whether they
 * are up to date (exit 1 if not); tests/readme-defaults.test.ts checks it too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultsMarkdown } from '@maskgrad/perturb';

const FILES = ['../README.md', '../packages/perturb/README.md'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const BLOCK = /(<!-- defaults -->\n)[\s\S]*?(\n<!-- \/defaults -->)/;
const check = process.argv.includes('--check');
let stale = 0;
for (const file of FILES) {
  const text = readFileSync(file, 'utf8');
  if (!BLOCK.test(text)) throw new Error(`${file}: no <!-- defaults --> … <!-- /defaults --> block; add one where the defaults are described`);
  const updated = text.replace(BLOCK, `$1${defaultsMarkdown()}$2`);
  if (updated === text) continue;
  stale++;
  if (check) console.error(`${file}: the defaults block is out of date; run node scripts/readme-defaults.mjs`);
  else writeFileSync(file, updated), console.log(`updated ${file}`);
}
process.exit(check && stale > 0 ? 1 : 0);
