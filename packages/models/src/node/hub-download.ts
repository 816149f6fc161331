// Node-only: models by Hub id. `org/name[@revision]` is downloaded into the Hugging Face cache
// (hub-cache.ts) over the Hub's protocol (hub-http.ts), honouring huggingface_hub's variables:
//   HF_ENDPOINT     the Hub's address (default https://huggingface.co)
//   HF_HUB_OFFLINE  1: no request at all; the cache must hold the files
//   HF_TOKEN        a token for gated and private models (else $HF_TOKEN_PATH or $HF_HOME/token,
//                   where `huggingface-cli login` keeps it)
// A file already in the cache is used without a request (a branch is resolved through
// refs/<branch>; name a commit, or delete that ref, to fetch a newer one).

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { HubError } from '../errors.js';
import { MAX_CHECKPOINT_FILE_BYTES, MAX_JSON_FILE_BYTES, formatBytes } from '../limits.js';
import { isTimmHubConfig } from '../timm-hub-config.js';
import {
  blobFile, cachedCommit, hubCacheDir, linkSnapshotFile, markMissing, noExistMarker, repoFolder, snapshotFile, writeRef, type HubRepo,
} from './hub-cache.js';
import { downloadBlob, fileMetadata, HubHttpStatus } from './hub-http.js';

export interface HubOptions {
  /** The environment to read HF_* from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Bytes done of each file as it downloads (the CLI draws a progress bar on a terminal). */
  onProgress?: (file: string, done: number, total: number) => void;
}

const ID = /^([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*)(?:@([\w.-]+(?:\/[\w.-]+)*))?$/;

/** `org/name[@revision]` as a Hub repo, or null when the text is not one. */
export function parseHubId(spec: string): HubRepo | null {
  const m = ID.exec(spec);
  if (!m || m[2]!.endsWith('.safetensors') || m[2]!.endsWith('.json')) return null;
  if ([m[1], m[2], ...(m[3] ?? '').split('/')].some((s) => s === '.' || s === '..' || s!.includes('..'))) return null;
  return { id: `${m[1]}/${m[2]}`, revision: m[3] ?? 'main' };
}

/** A --model value that names a Hub model: not a path on disk, and of the form org/name[@revision]. */
export function isHubId(spec: string): boolean {
  return !existsSync(spec) && parseHubId(spec) !== null;
}

const truthy = (v: string | undefined): boolean => v !== undefined && ['1', 'on', 'yes', 'true'].includes(v.trim().toLowerCase());

function token(env: NodeJS.ProcessEnv): string | null {
  if (env.HF_TOKEN) return env.HF_TOKEN.trim();
  if (env.HUGGING_FACE_HUB_TOKEN) return env.HUGGING_FACE_HUB_TOKEN.trim();
  const home = env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
  const path = env.HF_TOKEN_PATH || join(home, 'token');
  return existsSync(path) ? readFileSync(path, 'utf8').trim() || null : null;
}

/** The message for an HTTP refusal: who refused what, and what to do. */
function statusError(e: HubHttpStatus, repo: HubRepo, file: string, hasToken: boolean): HubError {
  const what = `${repo.id}@${repo.revision}: ${file}`;
  if (e.status === 401 || e.status === 403) {
    const gated = e.errorCode === 'GatedRepo' || e.status === 403;
    return new HubError({
      file: what, expected: 'a model you may download', found: `HTTP ${e.status}${e.errorCode ? ` (${e.errorCode})` : ''}: ${gated ? 'a gated model' : 'a private or missing model'}`,
      hint: hasToken
        ? `Your HF_TOKEN was refused: ${gated ? `accept the model's conditions on its page (${repo.id})` : 'check the id, and that the token may read this model'}.`
        : `Check the id (there is no local folder '${repo.id}' either); for a gated or private model set HF_TOKEN to a token from https://huggingface.co/settings/tokens${gated ? ' after accepting the model\'s conditions' : ''}.`,
    });
  }
  if (e.status === 404) {
    const found = e.errorCode === 'RevisionNotFound' ? `no revision '${repo.revision}'`
      : e.errorCode === 'EntryNotFound' ? `no file ${file} in it` : `no such model or file (${e.errorCode ?? 'HTTP 404'})`;
    const hint = file === 'model.safetensors' && e.errorCode === 'EntryNotFound'
      ? 'maskgrad reads safetensors weights only; this model has none (PyTorch .bin files are not read).'
      : `Check the model id and revision on ${e.url.split('/resolve/')[0]}.`;
    return new HubError({ file: what, expected: 'a model on the Hub', found, hint });
  }
  return new HubError({ file: what, expected: 'the file from the Hub', found: `HTTP ${e.status} from ${e.url}`, hint: 'Try again later, or check HF_ENDPOINT.' });
}

/**
 * The local path of `file` of a Hub model, downloading it into the cache when it is not there.
 * `optional`: null when the model has no such file (recorded in .no_exist, as huggingface_hub does).
 */
export async function hubFile(repo: HubRepo, file: string, opts: HubOptions & { optional?: boolean } = {}): Promise<string | null> {
  const env = opts.env ?? process.env;
  const folder = repoFolder(hubCacheDir(env), repo.id);
  const known = cachedCommit(folder, repo.revision);
  if (known !== null) {
    const path = snapshotFile(folder, known, file);
    if (existsSync(path)) return path;
    if (opts.optional && existsSync(noExistMarker(folder, known, file))) return null;
  }
  const what = `${repo.id}@${repo.revision}: ${file}`;
  if (truthy(env.HF_HUB_OFFLINE)) {
    throw new HubError({
      file: what, expected: `the file in the Hugging Face cache (${folder})`, found: known === null ? `no snapshot of revision '${repo.revision}'` : 'not there',
      hint: `HF_HUB_OFFLINE is set: run once online without it (maskgrad, or: huggingface-cli download ${repo.id}), or point HF_HUB_CACHE at a cache that has it.`,
    });
  }
  const endpoint = (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  const url = `${endpoint}/${repo.id}/resolve/${encodeURIComponent(repo.revision)}/${file}`;
  const auth = token(env);
  const headers: Record<string, string> = { 'User-Agent': 'maskgrad', ...(auth ? { Authorization: `Bearer ${auth}` } : {}) };
  let meta;
  try {
    meta = await fileMetadata(url, headers);
  } catch (e) {
    if (e instanceof HubHttpStatus) {
      if (e.status === 404 && e.errorCode === 'EntryNotFound' && opts.optional) {
        if (known !== null) markMissing(folder, known, file);
        return null;
      }
      throw statusError(e, repo, file, auth !== null);
    }
    if (e instanceof HubError) throw e;
    throw new HubError({
      file: what, expected: `an answer from ${endpoint}`, found: `${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}`, cause: e,
      hint: `The file is not in the Hugging Face cache (${folder}) and the Hub cannot be reached: connect and run again, or set HF_ENDPOINT to a mirror.`,
    });
  }
  const cap = file.endsWith('.json') ? MAX_JSON_FILE_BYTES : MAX_CHECKPOINT_FILE_BYTES;
  if (meta.size > cap) {
    throw new HubError({ file: what, expected: `at most ${formatBytes(cap)}`, found: formatBytes(meta.size), hint: 'maskgrad refuses larger files before downloading them.' });
  }
  writeRef(folder, repo.revision, meta.commit);
  const link = snapshotFile(folder, meta.commit, file);
  if (existsSync(link)) return link;
  const blob = blobFile(folder, meta.etag);
  if (!existsSync(blob)) {
    mkdirSync(dirname(blob), { recursive: true });
    // the storage behind a 302 is another host: the token stays with the Hub
    const sameHost = new URL(meta.location).host === new URL(url).host;
    try {
      await downloadBlob(blob, meta, sameHost ? headers : { 'User-Agent': 'maskgrad' }, what, opts.onProgress && ((d, t) => opts.onProgress!(file, d, t)));
    } catch (e) {
      throw e instanceof HubHttpStatus ? statusError(e, repo, file, auth !== null) : e;
    }
  }
  return linkSnapshotFile(folder, meta.commit, file, meta.etag);
}

/**
 * Downloads what a ViT checkpoint needs (config.json; for transformers models
 * preprocessor_config.json when there is one; model.safetensors), all from one commit, and
 * returns the snapshot folder, which loadModel reads like any checkpoint folder.
 */
export async function downloadModel(spec: string, opts: HubOptions = {}): Promise<string> {
  const repo = parseHubId(spec);
  if (repo === null) {
    throw new HubError({ file: spec, expected: 'a Hub model id: org/name or org/name@revision', found: 'something else', hint: 'For example google/vit-base-patch16-224.' });
  }
  const config = (await hubFile(repo, 'config.json', opts))!;
  // the rest from the commit config.json came from, even if the branch moves meanwhile
  const commit = { id: repo.id, revision: dirname(config).split(/[\\/]/).pop()! };
  let json: unknown = null;
  try {
    json = JSON.parse(readFileSync(config, 'utf8'));
  } catch {
    // loadModel names the file and the JSON error
  }
  if (!isTimmHubConfig(json)) await hubFile(commit, 'preprocessor_config.json', { ...opts, optional: true });
  await hubFile(commit, 'model.safetensors', opts);
  return dirname(config);
}

/** A --model value as a local path: a Hub id is downloaded (or found in the cache) first. */
export async function resolveModel(spec: string, opts: HubOptions = {}): Promise<string> {
  return isHubId(spec) ? downloadModel(spec, opts) : spec;
}
