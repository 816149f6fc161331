/**
 * Where explain writes. One image: the files go directly into --out (or,
 * with `subfolders`, the default --out, into out/<image name>).
 * Several: one subfolder of --out per image, named after the file without
 * its extension (img0.png → img0), clashes numbered img0-2, img0-3, ...
 *
 * perturbBatch replaces each output folder whole (written aside, then
 * renamed over it), so a folder that holds anything but a previous result
 * is refused rather than deleted.
 */
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { OUTPUT_FILES } from '@maskgrad/perturb/node';
import { UsageError } from './errors.js';

export function outputFolders(images: readonly string[], out: string, subfolders = false): string[] {
  if (images.length === 1 && !subfolders) return [out];
  const used = new Set<string>();
  return images.map((image) => {
    const base = parse(image).name || 'image';
    let name = base;
    // case-insensitive: img.png and IMG.jpg must not share a folder on macOS or Windows
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}-${k}`;
    used.add(name.toLowerCase());
    return join(out, name);
  });
}

const RESULT_FILES = new Set<string>(OUTPUT_FILES);

/**
 * Refuse output folders that exist and hold something other than a previous
 * result, and an --out whose nearest existing parent cannot be written.
 */
export function checkReplaceable(out: string, folders: readonly string[], resultFiles: ReadonlySet<string> | readonly string[] = RESULT_FILES): void {
  const known = new Set(resultFiles);
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out} is a file, not a folder. Pass a new or empty folder for the results.`);
  }
  // results are written beside their folder, then renamed into place
  let parent = resolve(dirname(folders[0]));
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) {
    throw new UsageError(`--out ${out} cannot be created: ${parent} is a file, not a folder. Pass another --out.`);
  }
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${out} cannot be created: the folder ${parent} is not writable. Pass a folder you can write to.`);
  }
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    const what = folder === out ? `--out ${out}` : `the output folder ${folder}`;
    if (!statSync(folder).isDirectory()) {
      throw new UsageError(`${what} exists and is a file. Move it away or pass another --out.`);
    }
    const others = readdirSync(folder).filter((f) => !known.has(f));
    if (others.length > 0) {
      throw new UsageError(
        `${what} already holds other files ('${others[0]}'${others.length > 1 ? ` and ${others.length - 1} more` : ''}); ` +
        'maskgrad replaces its output folder whole, so pass a new or empty folder (a previous maskgrad result is fine).',
      );
    }
  }
}
