/**
 * The browser page's ?model=org/name: the checkpoint from a local stand-in of the Hub
 * (scripts/hub-stand-in.mjs, another origin: CORS) through fetch and the Cache API, a phone
 * photo turned upright by its EXIF orientation, prepared by the checkpoint's centre crop, and
 * the collage drawn on the photo. A reload reads the model from the Cache API: no request.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExample } from '../examples/browser/build.mjs';
import { serve, type Serving } from '../examples/browser/serve.mjs';
import type { PageResult } from '../examples/browser/main.js';
import { exampleRepos, startHubStandIn, type HubStandIn } from '../scripts/hub-stand-in.mjs';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from './chromium.js';

const PHOTO = fileURLToPath(new URL('../docs/images/phone-disc.jpg', import.meta.url));
let serving: Serving | undefined;
let hub: HubStandIn | undefined;
let context: BrowserContext | undefined;
let profile: string | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  await buildExample();
  serving = await serve({ port: 0 });
  hub = await startHubStandIn(exampleRepos());
  profile = mkdtempSync(join(tmpdir(), 'maskgrad-chromium-hub-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await context?.close();
  await serving?.close();
  await hub?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('browser page, ?model=org/name', () => {
  it('loads maskgrad/shapes-vit from the Hub stand-in, explains the phone photo upright, and caches the model', async () => {
    requireChromium();
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const url = `${serving!.url}?model=maskgrad/shapes-vit&hub=${encodeURIComponent(hub!.url)}&backend=webasm`;
    await page.goto(url);
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
    expect(await page.textContent('#error')).toBe('');
    expect(await page.textContent('#model')).toContain('maskgrad/shapes-vit');
    expect(hub!.requests.filter((r) => r.startsWith('GET /maskgrad/shapes-vit/resolve/main/'))).toHaveLength(3);
    await page.setInputFiles('#file', PHOTO);
    await page.waitForSelector('#explain:not([disabled])');
    expect(await page.textContent('#input-info')).toContain('480×640 (bicubic resize and centre crop to 64×64');
    await page.fill('#iterations', '5');
    await page.click('#explain');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 120_000 });
    const result = (await page.evaluate(() => window.__maskgradResult)) as PageResult;
    expect(result.label).toBe('disc');
    expect(result.geometry).toEqual({ source: { width: 480, height: 640 }, resized: { width: 64, height: 85 }, crop: { left: 0, top: 10, width: 64, height: 64 } });
    // four panels of the photo at half size (240 × 320) side by side
    expect(await page.evaluate(() => (document.getElementById('collage-canvas') as HTMLCanvasElement).height)).toBe(320 + 16);
    const before = hub!.requests.length;
    await page.reload();
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
    expect(hub!.requests.length).toBe(before);
    expect(errors).toEqual([]);
  });
});
