// Node-only: the two requests of the Hugging Face Hub's file protocol, as huggingface_hub makes them.
//   HEAD {endpoint}/{repo}/resolve/{revision}/{file}: X-Repo-Commit (the commit the revision is
//     at), ETag (the file's git hash; quoted, maybe W/), and for large (LFS) files a 302 to the
//     storage with X-Linked-Etag (the sha256 of the bytes) and X-Linked-Size. Relative redirects
//     (a renamed repo) are followed, absolute ones (the storage) are not.
//   GET of the file, or of where the 302 pointed, into blobs/<etag>.incomplete, resumed with Range
//     when a cut download left one, checked (the size; the sha256 of an LFS file, the git blob
//     hash of a small one), then renamed to the blob.

import { closeSync, createReadStream, existsSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { HubError } from '../errors.js';
import { formatBytes } from '../limits.js';

export interface FileMetadata {
  commit: string;
  etag: string;
  /** The sha256 of the bytes, for LFS files (their X-Linked-Etag); null for small git files. */
  sha256: string | null;
  size: number;
  /** Where the bytes are: the storage URL of a 302, else the resolve URL. */
  location: string;
}

/** An HTTP answer the caller turns into a message (it knows the repo and the file). */
export class HubHttpStatus extends Error {
  constructor(readonly status: number, readonly errorCode: string | null, readonly url: string) {
    super(`HTTP ${status}${errorCode ? ` (${errorCode})` : ''} from ${url}`);
  }
}

/** `"abc"`, `W/"abc"` → `abc`. */
const bareEtag = (etag: string | null): string | null => (etag === null ? null : etag.replace(/^W\//, '').replace(/^"|"$/g, ''));

/** HEAD a resolve URL: the commit, ETag, size and location of the file, or HubHttpStatus. */
export async function fileMetadata(url: string, headers: Record<string, string>): Promise<FileMetadata> {
  let current = url;
  for (let hop = 0; hop < 5; hop++) {
    const res = await fetch(current, { method: 'HEAD', headers: { ...headers, 'Accept-Encoding': 'identity' }, redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null && location.startsWith('/')) {
      current = new URL(location, current).href; // a relative redirect: the same Hub, another name
      continue;
    }
    if (res.status >= 400) throw new HubHttpStatus(res.status, res.headers.get('x-error-code'), current);
    const commit = res.headers.get('x-repo-commit');
    const linked = bareEtag(res.headers.get('x-linked-etag'));
    const etag = linked ?? bareEtag(res.headers.get('etag'));
    const size = Number(res.headers.get('x-linked-size') ?? res.headers.get('content-length'));
    if (commit === null || etag === null || !Number.isSafeInteger(size) || size < 0) {
      throw new HubError({
        file: current, expected: 'the Hub\'s X-Repo-Commit, ETag and size headers', found: `commit ${commit}, etag ${etag}, size ${size}`,
        hint: 'HF_ENDPOINT may point at a server that does not speak the Hub protocol (a proxy that strips headers?).',
      });
    }
    return { commit, etag, sha256: linked, size, location: location !== null && res.status >= 300 ? new URL(location, current).href : current };
  }
  throw new HubError({ file: url, expected: 'at most 5 redirects', found: 'more', hint: 'Check HF_ENDPOINT.' });
}

/** Hashes what an earlier, cut download already wrote. */
async function hashExisting(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

/**
 * Downloads `meta.location` into `blob` through `blob.incomplete` (resumed with Range when one is
 * there), checking the size and, for LFS files, the sha256. A download that is cut leaves only the
 * .incomplete file; a wrong size or hash leaves nothing.
 */
export async function downloadBlob(
  blob: string, meta: FileMetadata, headers: Record<string, string>, label: string,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const partial = `${blob}.incomplete`;
  let have = existsSync(partial) ? statSync(partial).size : 0;
  if (have > meta.size) {
    unlinkSync(partial);
    have = 0;
  }
  const res = await fetch(meta.location, {
    headers: { ...headers, 'Accept-Encoding': 'identity', ...(have > 0 ? { Range: `bytes=${have}-` } : {}) }, redirect: 'follow',
  });
  if (res.status === 200 && have > 0) have = 0; // the server ignored Range: start over
  else if (res.status === 416 && have === meta.size) have = meta.size; // all there already
  else if (res.status !== 200 && res.status !== 206) throw new HubHttpStatus(res.status, res.headers.get('x-error-code'), meta.location);
  // LFS files are named by their sha256; small files by git's hash of "blob <size>\0" + bytes
  const hash = meta.sha256 !== null ? createHash('sha256') : createHash('sha1').update(`blob ${meta.size}\0`);
  // an ETag that is not a git hash (some proxies make their own) is not checked
  const expected = meta.sha256 ?? (/^[0-9a-f]{40}$/.test(meta.etag) ? meta.etag : null);
  if (have > 0) await hashExisting(partial, hash);
  const fd = openSync(partial, have > 0 ? 'a' : 'w');
  let done = have;
  let failure: HubError | null = null;
  try {
    if (res.status !== 416 && res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (done + chunk.length > meta.size) {
          failure = sizeError(label, meta, `more than ${meta.size} bytes`);
          break;
        }
        for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off, chunk.length - off);
        hash.update(chunk);
        done += chunk.length;
        onProgress?.(done, meta.size);
      }
    }
  } catch (cause) {
    failure = new HubError({
      file: label, expected: `${formatBytes(meta.size)} from ${meta.location}`, found: `the download cut after ${formatBytes(done)}`, cause,
      hint: 'Run the command again: the download resumes where it stopped.',
    });
  } finally {
    closeSync(fd);
  }
  if (failure !== null) {
    if (failure.hint?.startsWith('The download was deleted')) unlinkSync(partial); // too long: not worth resuming
    throw failure;
  }
  if (done !== meta.size) {
    throw new HubError({
      file: label, expected: formatBytes(meta.size), found: `the download ended after ${formatBytes(done)}`,
      hint: 'Run the command again: the download resumes where it stopped.',
    });
  }
  const digest = hash.digest('hex');
  if (expected !== null && digest !== expected) {
    unlinkSync(partial);
    const kind = meta.sha256 !== null ? 'sha256' : 'git blob hash';
    throw new HubError({
      file: label, expected: `${kind} ${expected} (the Hub's ${meta.sha256 !== null ? 'X-Linked-Etag' : 'ETag'})`, found: `${kind} ${digest}`,
      hint: 'The download was corrupted and has been deleted; run the command again.',
    });
  }
  renameSync(partial, blob);
}

function sizeError(label: string, meta: FileMetadata, found: string): HubError {
  return new HubError({ file: label, expected: `${formatBytes(meta.size)} (the Hub's size for it)`, found, hint: 'The download was deleted; run the command again.' });
}
