/**
 * Result folders written whole or not at all, also when the process is killed (SIGKILL) at any
 * moment, and when two runs write the same folder at once. Every file goes into a temporary
 * folder beside the result, which then replaces it by renames (each rename is atomic):
 *
 *   1. write the files into   <parent>/.<name>.<hash>.mg-<pid>-<random>.new
 *   2. rename <folder>  →     ….old    (no folder yet: nothing to move)
 *   3. rename ….new     →     <folder> (another run put one there since 2: back to 2)
 *   4. remove ….old
 *
 * A kill during 1 leaves the old result in place; after 3, the new one. Node cannot swap two
 * folders in one call (Linux's renameat2 RENAME_EXCHANGE), so between 2 and 3, for the time of
 * one rename, the folder is missing: a kill exactly there leaves .new (whole: 2 starts only after
 * 1 ends) and .old side by side, and the next run on this folder completes the swap (.new becomes
 * the folder). Temporary folders of processes that are gone are removed the same way
 * (`recoverStale`), before the next run's work. Not covered: power loss (no fsync).
 */
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** An output folder that cannot be created or replaced: the user passes another one (exit 2). */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** Longest file name most file systems take (ext4, xfs, btrfs, tmpfs: NAME_MAX), and path (PATH_MAX). */
const NAME_MAX_BYTES = 255;
const PATH_MAX_BYTES = 4095;
/** Room for what goes inside a result folder (`img0-12/perturbed.png`). */
const INSIDE_BYTES = 128;

/** `.<first 40 characters of name>.<8 hex of its hash>.mg-`: bounded whatever the name's length. */
function tempPrefix(folder: string): string {
  const name = basename(resolve(folder));
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `.${[...name].slice(0, 40).join('')}.${hash}.mg-`;
}

/** A run's temporary folders: .new and .old of a swap, and the creatability probe (checkCreatable). */
const TEMP = /^(\d+)-([0-9a-f]{8})\.(new|old|probe)$/;

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process: alive
  }
}

const exists = (path: string) => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * Finish or undo what killed runs left beside `folder`: for each dead process, a .new beside an
 * .old with no folder is a swap cut between its two renames (the .new becomes the folder);
 * everything else of theirs is removed. Temporary folders of live processes are left alone.
 */
export function recoverStale(folder: string): void {
  const parent = dirname(resolve(folder));
  const prefix = tempPrefix(folder);
  let all: string[];
  try {
    all = readdirSync(parent);
  } catch {
    return; // no parent yet: nothing left behind
  }
  // what maskgrad 0.1 left: .<name>.partial-<pid>, an incomplete copy
  const legacy = `.${basename(resolve(folder))}.partial-`;
  for (const f of all) {
    if (f.startsWith(legacy) && /^\d+$/.test(f.slice(legacy.length)) && !isAlive(Number(f.slice(legacy.length)))) {
      rmSync(join(parent, f), { recursive: true, force: true });
    }
  }
  const entries = all.filter((f) => f.startsWith(prefix));
  const runs = new Map<string, Set<string>>();
  for (const f of entries) {
    const m = TEMP.exec(f.slice(prefix.length));
    if (!m || isAlive(Number(m[1]))) continue;
    const run = `${m[1]}-${m[2]}`;
    runs.set(run, (runs.get(run) ?? new Set()).add(m[3]!));
  }
  for (const [run, kinds] of runs) {
    const path = (kind: string) => join(parent, `${prefix}${run}.${kind}`);
    if (kinds.has('new') && kinds.has('old') && !exists(folder)) {
      try {
        renameSync(path('new'), folder);
      } catch {
        // another run recovered it first, or put its own result there: either is whole
      }
    }
    for (const kind of kinds) rmSync(path(kind), { recursive: true, force: true });
  }
}

/** Byte length of a path component, as the file system counts it. */
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Can `folder` be created, or replaced, here? Checks the name lengths; that the nearest existing
 * ancestor is a folder; that the place the swap works in (the parent of an existing folder, where
 * writeFolder puts its temporary folders and renames; else the nearest existing ancestor, where
 * the first missing folder is made) takes a new folder, by creating and removing a probe there
 * named like a temporary folder of this run; and that an existing folder's parent lets it be
 * renamed (sticky bit) and that the folder's own entries can be removed. The probe also catches
 * read-only file systems, /proc and /sys, where permission bits alone say yes to root. Nothing is
 * ever created inside `folder` itself: other runs may be reading it.
 */
export function checkCreatable(folder: string, flag = '--out'): void {
  const target = resolve(folder);
  const fail = (why: string, what: string): never => {
    throw new OutputError(`${flag} ${folder} cannot be ${exists(target) ? 'replaced' : 'created'}: ${why}. ${what}`);
  };
  if (bytes(target) + INSIDE_BYTES > PATH_MAX_BYTES) fail(`the path is ${bytes(target)} bytes long, too long for the files inside it`, 'Pass a shorter path.');
  let ancestor = dirname(target);
  const missing: string[] = [];
  while (!exists(ancestor) && dirname(ancestor) !== ancestor) {
    missing.push(basename(ancestor));
    ancestor = dirname(ancestor);
  }
  for (const name of [basename(target), ...missing]) {
    if (bytes(name) > NAME_MAX_BYTES) fail(`the name '${name.slice(0, 40)}...' is ${bytes(name)} bytes; file names are limited to ${NAME_MAX_BYTES}`, 'Pass a shorter name.');
  }
  if (!statSync(ancestor).isDirectory()) fail(`${ancestor} is a file, not a folder`, 'Pass another path.');
  const probe = join(ancestor, `${tempPrefix(folder)}${process.pid}-${randomBytes(4).toString('hex')}.probe`);
  try {
    mkdirSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const where = missing.length > 0 || !exists(target) ? `nothing can be created in ${ancestor}` : `its folder ${ancestor} takes no new entries, and the result is written beside it and renamed into place`;
    fail(`${where} (${code ?? (e as Error).message})`, `Make ${ancestor} writable, or pass an --out in a folder you can write to.`);
  }
  rmdirSync(probe);
  if (exists(target)) checkReplaceableEntry(target, ancestor, fail);
}

/** An existing `target` in `parent`: the swap renames it (sticky parents: only its owner may) and removes its entries. */
function checkReplaceableEntry(target: string, parent: string, fail: (why: string, what: string) => never): void {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return; // root (or Windows): neither check applies
  const [st, up] = [statSync(target), statSync(parent)];
  if ((up.mode & 0o1000) !== 0 /* S_ISVTX */ && st.uid !== uid && up.uid !== uid) {
    fail(`${parent} is sticky (like /tmp) and the folder belongs to another user, so it cannot be moved aside`, 'Pass a folder of your own.');
  }
  if (st.isDirectory()) {
    try {
      accessSync(target, constants.W_OK | constants.X_OK);
    } catch (e) {
      fail(`its previous files cannot be removed (${(e as NodeJS.ErrnoException).code})`, `Make ${target} writable, or pass another --out.`);
    }
  }
}

/** Write `files` (relative paths, subfolders allowed) as the folder `folder`, replacing any previous one whole. */
export function writeFolder(folder: string, files: Record<string, Uint8Array | string>): void {
  const parent = dirname(resolve(folder));
  mkdirSync(parent, { recursive: true });
  recoverStale(folder);
  const base = join(parent, `${tempPrefix(folder)}${process.pid}-${randomBytes(4).toString('hex')}`);
  const [fresh, old] = [`${base}.new`, `${base}.old`];
  try {
    mkdirSync(fresh);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(fresh, name)), { recursive: true });
      writeFileSync(join(fresh, name), content);
    }
    for (let attempt = 0; ; attempt++) {
      rmSync(old, { recursive: true, force: true });
      try {
        renameSync(folder, old);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      try {
        renameSync(fresh, folder);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt >= 100) throw e;
        // another run put its result in place between our two renames: move it aside too
      }
    }
  } catch (e) {
    // a failure between the renames: put the previous result back
    if (!exists(folder) && exists(old)) {
      try {
        renameSync(old, folder);
      } catch {
        // the next run's recoverStale cannot help here (this process is alive): leave it as it is
      }
    }
    throw e;
  } finally {
    rmSync(fresh, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
