/**
 * `--model org/name` end to end: the built binary against the local Hub stand-in
 * (scripts/hub-stand-in.mjs on 127.0.0.1). Spawned asynchronously: the server runs in this process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleRepos, folderFiles, startHubStandIn } from '../scripts/hub-stand-in.mjs';
import { decodeImage } from '@maskgrad/models/node';
import { fixture } from './fixtures.js';

const BIN = fileURLToPath(new URL('../packages/cli/dist/index.js', import.meta.url));
const IMG0 = fixture('shapes-vit-hf/images/img0.png');
let hub: Awaited<ReturnType<typeof startHubStandIn>>;
let tmp: string;

function maskgrad(env: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  const files = folderFiles(fixture('shapes-vit-hf'));
  hub = await startHubStandIn({ 'maskgrad/shapes': { files: { 'config.json': files['config.json'], 'preprocessor_config.json': files['preprocessor_config.json'], 'model.safetensors': files['model.safetensors'] } } });
  tmp = mkdtempSync(join(tmpdir(), 'maskgrad-cli-hub-'));
});
afterAll(async () => {
  await hub.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('maskgrad --model <Hub id>', () => {
  it('classify and explain download the model once into HF_HUB_CACHE, then use it', async () => {
    const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(tmp, 'hub') };
    const byId = await maskgrad(env, 'classify', IMG0, '--model', 'maskgrad/shapes', '--top', '2');
    const byFolder = await maskgrad({}, 'classify', IMG0, '--model', fixture('shapes-vit-hf'), '--top', '2');
    expect(byId.stderr).toBe('');
    expect(byId.status).toBe(0);
    expect(byId.stdout).toBe(byFolder.stdout);
    const sent = hub.requests.length;
    const out = join(tmp, 'explained');
    const explain = await maskgrad({ ...env, HF_HUB_OFFLINE: '1' }, 'explain', IMG0, '--model', 'maskgrad/shapes', '--iterations', '3', '--out', out, '--quiet');
    expect(explain.status).toBe(0);
    expect(existsSync(join(out, 'result.json'))).toBe(true);
    expect(hub.requests.length).toBe(sent);
    // in a log (MASKGRAD_PROGRESS=1) each downloaded file is a line; on a terminal it is a bar
    const logged = await maskgrad({ ...env, HF_HUB_CACHE: join(tmp, 'hub2'), MASKGRAD_PROGRESS: '1' }, 'classify', IMG0, '--model', 'maskgrad/shapes');
    expect(logged.status).toBe(0);
    expect(logged.stderr).toMatch(/^downloaded maskgrad\/shapes: config\.json \(\d+ bytes\)\n.*\ndownloaded maskgrad\/shapes: model\.safetensors \(/s);
  });

  it('an unknown model, or offline without a cache, is exit 2 with what to do, and nothing written', async () => {
    const out = join(tmp, 'never');
    const unknown = await maskgrad({ HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(tmp, 'empty') }, 'explain', IMG0, '--model', 'maskgrad/nope', '--out', out);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^maskgrad: error: maskgrad\/nope@main: config\.json: expected a model you may download, found HTTP 401 \(RepoNotFound\).*HF_TOKEN/);
    const offline = await maskgrad({ HF_HUB_OFFLINE: '1', HF_HUB_CACHE: join(tmp, 'empty') }, 'classify', IMG0, '--model', 'google/vit-base-patch16-224');
    expect(offline.status).toBe(2);
    expect(offline.stderr).toMatch(/google\/vit-base-patch16-224@main: config\.json: .*HF_HUB_OFFLINE is set/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('README, "Explain a photo with a Hub model"', () => {
  it('its second command explains the phone photo upright, at its size, with what the caption states', async () => {
    const example = await startHubStandIn(exampleRepos());
    try {
      const out = join(tmp, 'phone-disc');
      const photo = fileURLToPath(new URL('../docs/images/phone-disc.jpg', import.meta.url));
      const r = await maskgrad({ HF_ENDPOINT: example.url, HF_HUB_CACHE: join(tmp, 'readme-hub') }, 'explain', photo, '--model', 'maskgrad/shapes-vit', '--out', out, '--quiet');
      expect(r.status).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
      expect(json.label).toBe('disc');
      expect(json.probabilityBefore).toBeCloseTo(0.998, 3);
      expect(json.area).toBe(0.1);
      expect(json.geometry).toMatchObject({ source: { width: 480, height: 640 }, resized: { width: 64, height: 85 }, crop: { left: 0, top: 10, width: 64, height: 64 } });
      expect(json.geometry.scale.x).toBeCloseTo(64 / 480, 12);
      const heatmap = decodeImage(readFileSync(join(out, 'heatmap.png')));
      expect([heatmap.width, heatmap.height]).toEqual([480, 640]);
    } finally {
      await example.close();
    }
  });
});
