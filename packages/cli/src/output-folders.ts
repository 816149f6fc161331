/**
 * Where explain writes. One image: the files go directly into --out (or,
 * with `subfolders`, the default --out, into out/<image name>).
 * Several: one subfolder of --out per image, named after the file without
 * its extension (img0.png → img0), clashes numbered img0-2, img0-3, ...
 *
 * Each result folder is replaced whole (@maskgrad/perturb/node writeFolder:
 * written aside, then renamed over it; with several images and --out, --out
 * itself is the one result), so a folder that holds anything but a previous
 * result is refused rather than deleted, and one that cannot be created is
 * refused before the work.
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join, parse } from 'node:path';
import { checkCreatable, OUTPUT_FILES, recoverStale } from '@maskgrad/perturb/node';
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

const RESULT_FILES: readonly string[] = OUTPUT_FILES;

/** A folder's entry vanished while it was read: another run swapped its result in (write-folder.ts). */
class Swapped extends Error {}

function statOrSwapped(path: string): ReturnType<typeof statSync> | undefined {
  const st = statSync(path, { throwIfNoEntry: false }); // undefined: a dangling link, or gone
  if (st === undefined && lstatSync(path, { throwIfNoEntry: false }) === undefined) throw new Swapped();
  return st;
}

function listOrSwapped(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Swapped();
    throw e;
  }
}

/**
 * What in `folder` is not a previous result: anything but the `known` files (and, with `nested`,
 * folders of them). A run writing the same folder may swap it while it is read: read it again.
 */
function strangers(folder: string, known: ReadonlySet<string>, nested: boolean): string[] {
  for (let attempt = 0; ; attempt++) {
    try {
      return listOrSwapped(folder).filter((f) => {
        const st = statOrSwapped(join(folder, f));
        if (nested && st?.isDirectory()) return listOrSwapped(join(folder, f)).some((g) => !known.has(g));
        return !known.has(f) || !st?.isFile();
      });
    } catch (e) {
      if (!(e instanceof Swapped)) throw e;
      if (!existsSync(folder)) return []; // swapped out and not back yet: nothing to refuse
      if (attempt >= 100) throw new UsageError(`the output folder ${folder} kept changing while it was read; another run is writing it. Wait for it, or pass another --out.`);
    }
  }
}

/**
 * Refuse, before any work, output folders that exist and hold something other than a previous
 * result (nothing is written anywhere for that answer), then those that cannot be created or
 * replaced (checkCreatable probes beside them, never inside). `batch`: --out holds one subfolder
 * per image and is replaced whole. Then finish or remove what killed runs left beside them
 * (write-folder.ts).
 */
export function checkReplaceable(
  out: string, folders: readonly string[], resultFiles: readonly string[] = RESULT_FILES, batch = false,
): void {
  const known = new Set(resultFiles);
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out} is a file, not a folder. Pass a new or empty folder for the results.`);
  }
  const units = batch ? [out] : folders;
  const flag = (folder: string) => (folder === out ? '--out' : `the output folder ${folder} (in --out)`);
  for (const folder of units) {
    // none yet (or mid-swap by another run), or a path that cannot exist (too long, under a file): checkCreatable says why
    const st = existsSync(folder) ? statSync(folder, { throwIfNoEntry: false }) : undefined;
    if (st === undefined) continue;
    const what = folder === out ? `--out ${out}` : `the output folder ${folder}`;
    if (!st.isDirectory()) {
      throw new UsageError(`${what} exists and is a file. Move it away or pass another --out.`);
    }
    const others = strangers(folder, known, batch);
    if (others.length > 0) {
      throw new UsageError(
        `${what} already holds other files ('${others[0]}'${others.length > 1 ? ` and ${others.length - 1} more` : ''}); ` +
        'maskgrad replaces its output folder whole, so pass a new or empty folder (a previous maskgrad result is fine).',
      );
    }
  }
  for (const folder of units) checkCreatable(folder, flag(folder));
  for (const folder of units) recoverStale(folder);
}
