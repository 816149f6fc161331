// Node-only: the Hugging Face cache layout, shared with Python's huggingface_hub, so that a model
// downloaded by either is found by both:
//   $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub
//     models--<org>--<name>/
//       blobs/<etag>                      each file's bytes, named by its ETag (sha256 for LFS files)
//       snapshots/<commit>/<file>         a relative symlink to ../../blobs/<etag>
//       refs/<revision>                   the commit a branch or tag pointed to when last asked
//       .no_exist/<commit>/<file>         an empty marker: the file is not in that commit

import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A Hub model id and the revision asked for (a branch, tag or commit; default `main`). */
export interface HubRepo {
  id: string;
  revision: string;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** Whether `revision` is a full commit hash (then no ref is needed to find its snapshot). */
export const isCommitHash = (revision: string): boolean => COMMIT.test(revision);

/** The hub cache folder under huggingface_hub's environment rules. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE; // the older name, still read by huggingface_hub
  const home = env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

/** `models--org--name` inside the cache. */
export function repoFolder(cache: string, id: string): string {
  return join(cache, `models--${id.split('/').join('--')}`);
}

/** A file or folder name that cannot leave its folder (no separators, not `.` or `..`). */
const safeName = (s: string): boolean => s !== '' && s !== '.' && s !== '..' && !/[\\/\0]/.test(s);

/** The commit a revision resolves to in the cache (a commit hash is its own), or null. */
export function cachedCommit(folder: string, revision: string): string | null {
  if (isCommitHash(revision)) return revision;
  const ref = join(folder, 'refs', revision);
  if (!existsSync(ref)) return null;
  const commit = readFileSync(ref, 'utf8').trim();
  return isCommitHash(commit) ? commit : null;
}

/** Records which commit `revision` points to (huggingface_hub writes refs/<revision>). */
export function writeRef(folder: string, revision: string, commit: string): void {
  if (revision === commit) return;
  const ref = join(folder, 'refs', revision);
  mkdirSync(dirname(ref), { recursive: true });
  if (existsSync(ref) && readFileSync(ref, 'utf8').trim() === commit) return;
  atomicWrite(ref, commit);
}

/** Where a file of a commit's snapshot is (the symlink), existing or not. */
export function snapshotFile(folder: string, commit: string, file: string): string {
  if (!isCommitHash(commit) || !file.split('/').every(safeName)) throw new Error(`internal: bad snapshot path ${commit}/${file}`);
  return join(folder, 'snapshots', commit, file);
}

/** The blob for an ETag; `.incomplete` beside it while it downloads. */
export function blobFile(folder: string, etag: string): string {
  if (!safeName(etag)) throw new Error(`internal: bad ETag ${etag}`);
  return join(folder, 'blobs', etag);
}

/** Points snapshots/<commit>/<file> at blobs/<etag> with a relative symlink, replacing any old link in one rename. */
export function linkSnapshotFile(folder: string, commit: string, file: string, etag: string): string {
  const link = snapshotFile(folder, commit, file);
  mkdirSync(dirname(link), { recursive: true });
  const tmp = `${link}.${randomBytes(4).toString('hex')}.tmp`;
  symlinkSync(relative(dirname(link), blobFile(folder, etag)), tmp);
  renameSync(tmp, link);
  return link;
}

/** Marks (or asks whether) a file is absent from a commit: huggingface_hub's .no_exist markers. */
export function noExistMarker(folder: string, commit: string, file: string): string {
  return join(folder, '.no_exist', commit, file);
}

export function markMissing(folder: string, commit: string, file: string): void {
  const marker = noExistMarker(folder, commit, file);
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(marker, '');
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
