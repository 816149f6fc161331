// node bench/browser.mjs [--runs=3] [--json]   (after npm run build; needs Debian's chromium)
// The browser example's default explanation (built-in 64 px model, examples/images/disc.png,
// the shipped explain() defaults) timed in Chromium on webasm and on WebGPU (SwiftShader, a CPU
// driver: a correctness vehicle, not a speed claim), beside the same explanation in Node on webasm
// in the same run. Times are medians; the page's time is what it reports for explain() alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { setBackend } from '@maskgrad/autograd';
import { loadDefaultModel, readImageFile } from '@maskgrad/models/node';
import { explain } from '@maskgrad/perturb';
import { buildExample } from '../examples/browser/build.mjs';
import { serve } from '../examples/browser/serve.mjs';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 3);
const json = args.includes('--json');
const IMAGE = 'disc.png';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--enable-unsafe-webgpu'];
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function inNode() {
  await setBackend('webasm');
  const model = loadDefaultModel();
  const x = model.resize(model.pixels(readImageFile(new URL(`../examples/images/${IMAGE}`, import.meta.url).pathname)));
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await explain(model, x);
    times.push((performance.now() - t0) / 1000);
  }
  return { first: times[0], median: median(times.slice(runs > 1 ? 1 : 0)) };
}

/** Explain IMAGE `runs` times in one page load (the first run compiles every kernel). */
async function inPage(context, url, backend) {
  const page = await context.newPage();
  await page.goto(`${url}?backend=${backend}`);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
  await page.click(`button[data-image="${IMAGE}"]`);
  await page.waitForSelector('#explain:not([disabled])');
  const times = [];
  for (let i = 0; i < runs; i++) {
    await page.click('#explain');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 600_000 });
    if ((await page.getAttribute('body', 'data-state')) === 'error') throw new Error(`the page failed: ${await page.textContent('#error')}`);
    times.push((await page.evaluate(() => window.__maskgradResult)).seconds);
  }
  await page.close();
  return { first: times[0], median: median(times.slice(runs > 1 ? 1 : 0)) };
}

await buildExample();
const serving = await serve({ port: 0 });
const profile = mkdtempSync(join(tmpdir(), 'maskgrad-bench-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: ARGS });
try {
  const node = await inNode();
  const webasm = await inPage(context, serving.url, 'webasm');
  const webgpu = await inPage(context, serving.url, 'webgpu');
  const result = {
    image: IMAGE, runs, node, webasm, webgpu,
    webasmPageOverNode: webasm.median / node.median,
    webasmPageOverNodeFirstRun: webasm.first / node.first,
  };
  if (json) console.log(JSON.stringify(result, null, 2));
  else {
    const f = (v) => v.toFixed(2);
    console.log(`default explanation of ${IMAGE} (built-in 64 px model), seconds: first run (compiles kernels) / median of the rest`);
    console.log(`  Node, webasm:               ${f(node.first)} / ${f(node.median)}`);
    console.log(`  Chromium page, webasm:      ${f(webasm.first)} / ${f(webasm.median)}  (page / Node: ${f(result.webasmPageOverNodeFirstRun)} / ${f(result.webasmPageOverNode)})`);
    console.log(`  Chromium page, webgpu (SwiftShader, CPU): ${f(webgpu.first)} / ${f(webgpu.median)}`);
  }
} finally {
  await context.close();
  await serving.close();
  rmSync(profile, { recursive: true, force: true });
}
