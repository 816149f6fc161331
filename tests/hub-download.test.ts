/**
 * Models by Hub id against a local stand-in of the Hub (scripts/hub-stand-in.mjs, 127.0.0.1,
 * never the network): the Hugging Face cache layout, no request for what is cached, offline
 * mode, a cut download resumed with Range, sha256 checked, and the errors a user can act on.
 */
import { existsSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadModel, hubCacheDir, HubError, loadModel, parseHubId, repoFolder } from '@maskgrad/models/node';
import { folderFiles, startHubStandIn } from '../scripts/hub-stand-in.mjs';
import { fixture } from './fixtures.js';

type Hub = Awaited<ReturnType<typeof startHubStandIn>>;
const shapes = folderFiles(fixture('shapes-vit-hf'));
const tinyTimm = folderFiles(fixture('vit-tiny-timm-f16'));
/** timm's Hub config.json for the ViT-Tiny fixture: the architecture's name instead of its arguments. */
const timmHubConfig = Buffer.from(JSON.stringify({
  architecture: 'vit_tiny_patch16_224', num_classes: 1000, global_pool: 'token',
  pretrained_cfg: { input_size: [3, 224, 224], interpolation: 'bicubic', crop_pct: 0.9, crop_mode: 'center', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
}));
const repos = {
  'maskgrad/shapes': { files: { 'config.json': shapes['config.json'], 'preprocessor_config.json': shapes['preprocessor_config.json'], 'model.safetensors': shapes['model.safetensors'] } },
  'maskgrad/tiny-timm': { files: { 'config.json': timmHubConfig, 'model.safetensors': tinyTimm['model.safetensors'] } },
  'maskgrad/gated': { files: { 'config.json': shapes['config.json'] }, gated: true, token: 'hf_secret' },
};

let hub: Hub;
const caches: string[] = [];
const freshCache = () => {
  const dir = mkdtempSync(join(tmpdir(), 'maskgrad-hf-'));
  caches.push(dir);
  return dir;
};
const envFor = (cache: string, extra: Record<string, string> = {}, url = hub.url) => ({ HF_HUB_CACHE: cache, HF_ENDPOINT: url, HF_HOME: cache, ...extra });
const failure = async (p: Promise<unknown>): Promise<HubError> => {
  try {
    await p;
  } catch (e) {
    expect((e as Error).name).toBe('HubError');
    return e as HubError;
  }
  throw new Error('expected a HubError');
};

beforeAll(async () => {
  hub = await startHubStandIn(repos);
});
afterAll(async () => {
  await hub.close();
});
afterEach(() => {
  for (const dir of caches.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('models by Hub id', () => {
  it('parses org/name[@revision] and refuses paths and traversal', () => {
    expect(parseHubId('google/vit-base-patch16-224')).toEqual({ id: 'google/vit-base-patch16-224', revision: 'main' });
    expect(parseHubId('timm/vit_base_patch16_224.augreg2_in21k_ft_in1k@v1.0')).toEqual({ id: 'timm/vit_base_patch16_224.augreg2_in21k_ft_in1k', revision: 'v1.0' });
    for (const bad of ['vit', './a/b', 'a/b/c', 'a/model.safetensors', 'a/..', 'a/b@../x', '/abs/path']) expect(parseHubId(bad)).toBeNull();
  });

  it('finds the cache as huggingface_hub does: HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME or ~/.cache', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' })).toBe('/a');
    expect(hubCacheDir({ HF_HOME: '/b', XDG_CACHE_HOME: '/c' })).toBe('/b/hub');
    expect(hubCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/huggingface/hub');
    expect(hubCacheDir({ HOME: process.env.HOME })).toMatch(/\/\.cache\/huggingface\/hub$/);
  });

  it('a gated model comes down with the token huggingface-cli login saved in HF_HOME/token', async () => {
    const home = freshCache();
    writeFileSync(join(home, 'token'), 'hf_secret\n');
    const e = await failure(downloadModel('maskgrad/gated', { env: { HF_HOME: home, HF_ENDPOINT: hub.url } }));
    expect(e.message).toMatch(/model\.safetensors: .*no file model\.safetensors/); // config.json was let through
    expect(existsSync(join(home, 'hub', 'models--maskgrad--gated', 'refs', 'main'))).toBe(true);
  });

  it('downloads into the Hugging Face cache layout; the folder loads as the fixture does; a second run sends no request', async () => {
    const cache = freshCache();
    const before = hub.requests.length;
    const folder = await downloadModel('maskgrad/shapes', { env: envFor(cache) });
    const repo = repoFolder(cache, 'maskgrad/shapes');
    expect(repo).toBe(join(cache, 'models--maskgrad--shapes'));
    const commit = readFileSync(join(repo, 'refs', 'main'), 'utf8');
    expect(folder).toBe(join(repo, 'snapshots', commit));
    expect(readdirSync(folder).sort()).toEqual(['config.json', 'model.safetensors', 'preprocessor_config.json']);
    const weights = readlinkSync(join(folder, 'model.safetensors'));
    expect(weights).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/); // LFS: named by its sha256
    expect(readlinkSync(join(folder, 'config.json'))).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{40}$/); // git blob hash
    expect(readFileSync(join(folder, 'model.safetensors')).equals(shapes['model.safetensors']!)).toBe(true);
    const sent = hub.requests.slice(before);
    expect(sent.filter((r) => r.startsWith('GET /storage/'))).toHaveLength(1);
    const a = loadModel(folder);
    const b = loadModel(fixture('shapes-vit-hf'));
    expect(a.config).toEqual({ ...b.config, preprocessing: { ...b.config.preprocessing!, source: join(folder, 'preprocessor_config.json') } });
    const again = hub.requests.length;
    expect(await downloadModel('maskgrad/shapes', { env: envFor(cache) })).toBe(folder);
    expect(hub.requests.length).toBe(again);
    // offline, and with the Hub gone: the cached snapshot
    expect(await downloadModel('maskgrad/shapes', { env: envFor(cache, { HF_HUB_OFFLINE: '1' }, 'http://127.0.0.1:9') })).toBe(folder);
    expect(await downloadModel(`maskgrad/shapes@${commit}`, { env: envFor(cache, {}, 'http://127.0.0.1:9') })).toBe(folder);
  });

  it('timm\'s Hub repo: config.json and the weights only; loads with the same logits as the hand-written timm_config.json', async () => {
    const cache = freshCache();
    const before = hub.requests.length;
    const folder = await downloadModel('maskgrad/tiny-timm', { env: envFor(cache) });
    expect(hub.requests.slice(before).some((r) => r.includes('preprocessor_config.json'))).toBe(false);
    const fromHub = loadModel(folder);
    const fromFixture = loadModel(fixture('vit-tiny-timm-f16'));
    expect(fromHub.config.preprocessing).toMatchObject({ resize: { kind: 'shortest-edge', edge: 248 }, resample: 'bicubic' });
    const image = { width: 300, height: 200, data: Uint8Array.from({ length: 300 * 200 * 3 }, (_, i) => (i * 37) % 256) };
    const x = fromHub.preprocess(image);
    expect(fromHub.forward(x).dataSync()).toEqual(fromFixture.forward(x).dataSync());
  });

  it('a cut download leaves only an .incomplete blob; the next run resumes it with Range', async () => {
    const cut = await startHubStandIn(repos, { cuts: 1, cutAfter: 100_000 });
    try {
      const cache = freshCache();
      const e = await failure(downloadModel('maskgrad/shapes', { env: envFor(cache, {}, cut.url) }));
      expect(e.message).toMatch(/cut after .*Run the command again: the download resumes/);
      const blobs = join(repoFolder(cache, 'maskgrad/shapes'), 'blobs');
      const partial = readdirSync(blobs).filter((f) => f.endsWith('.incomplete'));
      expect(partial).toHaveLength(1);
      expect(readdirSync(blobs).filter((f) => /^[0-9a-f]{64}$/.test(f))).toHaveLength(0); // nothing that looks complete
      const folder = await downloadModel('maskgrad/shapes', { env: envFor(cache, {}, cut.url) });
      expect(cut.requests.some((r) => /^GET \/storage\/.* bytes=100000-$/.test(r))).toBe(true);
      expect(readFileSync(join(folder, 'model.safetensors')).equals(shapes['model.safetensors']!)).toBe(true);
      expect(existsSync(join(blobs, partial[0]!))).toBe(false);
    } finally {
      await cut.close();
    }
  });

  it('bytes that do not match the sha256 are deleted and refused', async () => {
    const bad = await startHubStandIn(repos, { corrupt: true });
    try {
      const cache = freshCache();
      const e = await failure(downloadModel('maskgrad/shapes', { env: envFor(cache, {}, bad.url) }));
      expect(e.message).toMatch(/expected sha256 [0-9a-f]{64} \(the Hub's X-Linked-Etag\), found sha256/);
      expect(readdirSync(join(repoFolder(cache, 'maskgrad/shapes'), 'blobs')).some((f) => /^[0-9a-f]{64}/.test(f))).toBe(false);
    } finally {
      await bad.close();
    }
  });

  it('says what is wrong and what to do: unknown, gated, no revision, no safetensors, offline, unreachable', async () => {
    const cache = freshCache();
    const unknown = await failure(downloadModel('maskgrad/nope', { env: envFor(cache) }));
    expect(unknown.message).toMatch(/^maskgrad\/nope@main: config\.json: .*HTTP 401 \(RepoNotFound\).*Check the id \(there is no local folder 'maskgrad\/nope' either\); .*HF_TOKEN/);
    const gated = await failure(downloadModel('maskgrad/gated', { env: envFor(cache) }));
    expect(gated.message).toMatch(/HTTP 403 \(GatedRepo\): a gated model.*set HF_TOKEN/);
    const refused = await failure(downloadModel('maskgrad/gated', { env: envFor(cache, { HF_TOKEN: 'wrong' }) }));
    expect(refused.message).toMatch(/Your HF_TOKEN was refused: accept the model's conditions/);
    // with the token, the gated config comes down (the repo has no weights: a 404 naming the file)
    const noWeights = await failure(downloadModel('maskgrad/gated', { env: envFor(cache, { HF_TOKEN: 'hf_secret' }) }));
    expect(noWeights.message).toMatch(/maskgrad\/gated@[0-9a-f]{40}: model\.safetensors: .*no file model\.safetensors.*safetensors weights only/);
    expect((await failure(downloadModel('maskgrad/shapes@v9', { env: envFor(cache) }))).message).toMatch(/found no revision 'v9'/);
    const offline = await failure(downloadModel('maskgrad/shapes', { env: envFor(freshCache(), { HF_HUB_OFFLINE: '1' }) }));
    expect(offline.message).toMatch(/no snapshot of revision 'main'.*HF_HUB_OFFLINE is set/);
    const unreachable = await failure(downloadModel('maskgrad/shapes', { env: envFor(freshCache(), {}, 'http://127.0.0.1:9') }));
    expect(unreachable.message).toMatch(/expected an answer from http:\/\/127\.0\.0\.1:9.*cannot be reached/);
  });
});
