#!/usr/bin/env node
// A local stand-in for the Hugging Face Hub's file protocol, on 127.0.0.1, for the tests and for
// trying `--model org/name` offline. It answers as huggingface.co does:
//   HEAD/GET /{org}/{name}/resolve/{revision}/{file}
//     small files: 200 with X-Repo-Commit, ETag (the git blob hash), Content-Length
//     .safetensors: 302 to /storage/{sha256} with X-Linked-Etag (sha256) and X-Linked-Size
//     401 RepoNotFound (unknown or private repo without its token), 403 GatedRepo,
//     404 RevisionNotFound / EntryNotFound
//   GET /storage/{sha256}: the bytes, with Range (206); `cutAfter` bytes then a dropped connection
//     for the first `cuts` downloads (a network that fails mid-file)
// Run directly, it serves the checkpoints in tests/fixtures as maskgrad-fixtures/<name>:
//   node scripts/hub-stand-in.mjs [port]     (default 8765)

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const gitBlobHash = (bytes) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * repos: { 'org/name': { files: { name: Buffer }, commit?: string, gated?: boolean, token?: string } }
 * options: { cuts: number of storage downloads to cut, cutAfter: bytes sent before cutting,
 *   corrupt: storage answers with the first byte zeroed, port }
 * Returns { url, requests (a log of 'METHOD path'), close() }.
 */
export async function startHubStandIn(repos, options = {}) {
  const requests = [];
  const storage = new Map();
  const table = new Map();
  for (const [id, repo] of Object.entries(repos)) {
    const commit = repo.commit ?? createHash('sha1').update(id).digest('hex');
    table.set(id, { ...repo, commit });
    for (const bytes of Object.values(repo.files)) storage.set(sha256(bytes), bytes);
  }
  let cuts = options.cuts ?? 0;
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const url = new URL(req.url, 'http://x');
    // CORS, as the Hub sends it: the browser page reads models from another origin
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'X-Repo-Commit, X-Linked-Etag, X-Linked-Size, ETag, X-Error-Code, Content-Range');
    const send = (status, headers, body) => {
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const stored = /^\/storage\/([0-9a-f]{64})$/.exec(url.pathname);
    if (stored) {
      const bytes = storage.get(stored[1]);
      if (!bytes) return send(404, {}, 'no such object');
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const from = range ? Number(range[1]) : 0;
      if (from >= bytes.length && range) return send(416, { 'Content-Range': `bytes */${bytes.length}` });
      const part = bytes.subarray(from);
      res.writeHead(range ? 206 : 200, {
        'Content-Length': part.length, 'Accept-Ranges': 'bytes',
        ...(range ? { 'Content-Range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` } : {}),
      });
      if (req.method === 'HEAD') return res.end();
      if (options.corrupt) return res.end(Buffer.from(part).fill(0, 0, 1));
      if (cuts > 0) {
        cuts--;
        res.write(part.subarray(0, options.cutAfter ?? Math.floor(part.length / 2)), () => res.destroy());
        return;
      }
      return res.end(part);
    }
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repo = m && table.get(m[1]);
    const auth = req.headers.authorization;
    if (!repo || (repo.token && !repo.gated && auth !== `Bearer ${repo.token}`)) {
      return send(401, { 'X-Error-Code': 'RepoNotFound' }, 'Repository not found');
    }
    if (repo.gated && auth !== `Bearer ${repo.token}`) return send(403, { 'X-Error-Code': 'GatedRepo' }, 'Access to this model is restricted');
    const revision = decodeURIComponent(m[2]);
    if (revision !== 'main' && revision !== repo.commit) return send(404, { 'X-Error-Code': 'RevisionNotFound' }, 'Invalid rev id');
    const bytes = repo.files[m[3]];
    if (!bytes) return send(404, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': repo.commit }, 'Entry not found');
    if (m[3].endsWith('.safetensors')) {
      const address = server.address();
      return send(302, {
        'X-Repo-Commit': repo.commit, 'X-Linked-Etag': `"${sha256(bytes)}"`, 'X-Linked-Size': bytes.length, ETag: `"${gitBlobHash(bytes)}"`,
        Location: `http://127.0.0.1:${address.port}/storage/${sha256(bytes)}`, 'Content-Length': 0,
      }, '');
    }
    return send(200, { 'X-Repo-Commit': repo.commit, ETag: `"${gitBlobHash(bytes)}"`, 'Content-Length': bytes.length }, bytes);
  });
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The files of a checkpoint folder, for serving. */
export function folderFiles(dir) {
  return Object.fromEntries(readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()).map((f) => [f, readFileSync(join(dir, f))]));
}

/**
 * What the stand-in serves when run directly (and the README's example uses):
 *   maskgrad/shapes-vit   the built-in shapes model with a centre-cropping preprocessor_config.json
 *                         (short side to 64, bicubic, the centre 64 x 64: a photo keeps its shape)
 *   maskgrad-fixtures/shapes-vit-hf, maskgrad-fixtures/vit-tiny-hf-bf16   the test checkpoints
 */
export function exampleRepos() {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const builtIn = folderFiles(join(root, 'packages/models/assets/shapes-vit'));
  const preprocessor = {
    image_processor_type: 'ViTImageProcessor', do_resize: true, size: { shortest_edge: 64 }, resample: 3, do_center_crop: true,
    crop_size: { height: 64, width: 64 }, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5],
  };
  const repos = {
    'maskgrad/shapes-vit': {
      files: { 'config.json': builtIn['config.json'], 'model.safetensors': builtIn['model.safetensors'], 'preprocessor_config.json': Buffer.from(JSON.stringify(preprocessor, null, 2)) },
    },
  };
  for (const name of ['shapes-vit-hf', 'vit-tiny-hf-bf16']) {
    const files = folderFiles(join(root, 'tests/fixtures', name));
    delete files['reference.safetensors'];
    repos[`maskgrad-fixtures/${name}`] = { files };
  }
  return repos;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const repos = exampleRepos();
  const hub = await startHubStandIn(repos, { port: Number(process.argv[2] ?? 8765) });
  process.stderr.write(`serving ${Object.keys(repos).join(', ')} at ${hub.url}: HF_ENDPOINT=${hub.url}\n`);
}
