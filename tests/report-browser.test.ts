/**
 * report.html in a real browser: perturb() writes it for the fixture model,
 * Chromium opens it from disk, and every image decodes, both SVG curves
 * draw, the probabilities show, nothing is fetched and nothing is logged
 * as an error.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '@maskgrad/models/node';
import { perturb } from '@maskgrad/perturb/node';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from './chromium.js';
import { fixture } from './fixtures.js';

const ITERATIONS = 8;
const SCREENSHOT = '/tmp/maskgrad-report.png';

let dir: string | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return; // the test fails, saying what to install
  dir = mkdtempSync(join(tmpdir(), 'maskgrad-report-browser-'));
  context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('report.html in Chromium', () => {
  it('shows its images, both curves and the probabilities, fetching nothing and logging no error', async () => {
    requireChromium();
    const model = loadModel(fixture('shapes-vit-hf'));
    const out = join(dir!, 'img2');
    const r = await perturb(fixture('shapes-vit-hf/images/img2.png'), model, out, null, {
      method: 'meaningful', iterations: ITERATIONS, maskSize: 8, blurSigma: 3, seed: 1, plot: true, modelName: 'shapes-vit-hf',
    });
    const url = pathToFileURL(join(out, 'report.html')).href;

    const page = context!.pages()[0] ?? await context!.newPage();
    const errors: string[] = [];
    const fetched: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('request', (q) => { if (q.url() !== url && !q.url().startsWith('data:')) fetched.push(q.url()); });
    await page.goto(url, { waitUntil: 'load' });

    const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ id: i.id, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight })));
    expect(images.map((i) => i.id).sort()).toEqual(['blurred', 'collage', 'heatmap', 'mask', 'perturbed']);
    for (const img of images) {
      expect(img.complete, img.id).toBe(true);
      expect(img.width, img.id).toBeGreaterThan(0);
      expect(img.height, img.id).toBeGreaterThan(0);
    }
    expect(images.find((i) => i.id === 'mask')).toMatchObject({ width: model.imageSize, height: model.imageSize });

    for (const id of ['loss-curve', 'probability-curve']) {
      const curve = await page.$eval(`svg#${id} polyline`, (p) => {
        const box = (p as SVGPolylineElement).getBBox();
        return { points: (p as SVGPolylineElement).points.numberOfItems, width: box.width };
      });
      expect(curve.points, id).toBe(ITERATIONS);
      expect(curve.width, id).toBeGreaterThan(100); // drawn across the chart, not collapsed
    }

    const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
    const text = await page.textContent('#probabilities');
    expect(text).toContain(`p('${r.label}') before: ${pct(r.probabilityBefore)}`);
    expect(text).toContain(pct(r.probabilityAfter));

    const shot = join(dir!, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    copyFileSync(shot, SCREENSHOT);
    expect(fetched).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('an extremal report shows every area\'s mask and the probability against the area', async () => {
    requireChromium();
    const model = loadModel(fixture('shapes-vit-hf'));
    const out = join(dir!, 'img2-extremal');
    const r = await perturb(fixture('shapes-vit-hf/images/img2.png'), model, out, null, { iterations: ITERATIONS, areas: [0.1, 0.3], plot: true });
    const page = context!.pages()[0] ?? await context!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
    const ids = await page.$$eval('img', (imgs) => imgs.map((i) => i.id));
    expect(ids).toContain('areas');
    const lines = await page.$$eval('svg#area-chart polyline', (ps) => ps.map((p) => (p as SVGPolylineElement).points.numberOfItems));
    expect(lines).toEqual([2, 2]);
    expect(await page.textContent('#area-table')).toContain(`${r.areas![r.chosenArea!].area} (reported)`);
    const shot = join(dir!, 'report-extremal.png');
    await page.screenshot({ path: shot, fullPage: true });
    copyFileSync(shot, SCREENSHOT.replace('.png', '-extremal.png'));
    expect(errors).toEqual([]);
  }, 60_000);
});
