/**
 * maskgrad on WebGPU in headless Chromium: --enable-unsafe-webgpu exposes a
 * WebGPU adapter through SwiftShader (a CPU Vulkan driver), so a CI machine
 * without a GPU still runs every WebGPU kernel. tests/webgpu/suite.ts runs
 * in the page (served from 127.0.0.1, a secure context); the checks
 * (tests/webgpu/checks.ts, shared with the Node run on Dawn,
 * tests/webgpu-node.test.ts) drive it and assert.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Serving } from '../examples/browser/serve.mjs';
import { CHROMIUM, CHROMIUM_WEBGPU_ARGS, requireChromium } from './chromium.js';
import { webgpuChecks, type SuiteCall } from './webgpu/checks.js';
import type {} from './webgpu/suite.js'; // declares window.suite

const HERE = fileURLToPath(new URL('./webgpu/', import.meta.url));
const src = (p: string) => fileURLToPath(new URL(`../packages/${p}`, import.meta.url));

let serving: Serving | undefined;
let context: BrowserContext | undefined;
let page: Page;
let profile: string | undefined;
const errors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return; // each test fails, saying what to install
  await build({
    entryPoints: [join(HERE, 'suite.ts')], outfile: join(HERE, 'dist', 'suite.js'), bundle: true, platform: 'browser', format: 'esm',
    target: 'es2022', logLevel: 'warning', external: ['webgpu'],
    alias: {
      ...Object.fromEntries(['kernels', 'autograd', 'models', 'perturb'].map((p) => [`@maskgrad/${p}`, src(`${p}/src/index.ts`)])),
      '@maskgrad/kernels/testing': src('kernels/src/testing.ts'),
    },
  });
  serving = await serve({ port: 0, roots: { '/webgpu/': HERE } });
  profile = mkdtempSync(join(tmpdir(), 'maskgrad-webgpu-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_WEBGPU_ARGS });
  page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(`${serving.url}webgpu/index.html`);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await serving?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('maskgrad on WebGPU (Chromium, SwiftShader)', () => {
  const call: SuiteCall = (part, ...args) => page.evaluate(([p, a]) => (window.suite[p] as (...x: unknown[]) => unknown)(...a), [part, args as unknown[]] as const) as never;
  webgpuChecks(call, {
    explainImages: [0, 1, 2, 3, 4, 5, 6, 7], explainIterations: 100, memoryIterations: 1000, extremalMemoryIterations: 200, vitFixtures: ['vit-tiny-hf-bf16', 'vit-tiny-timm-f16'], require: requireChromium,
  });

  it('logged no errors in the page', () => {
    expect(errors.filter((e) => !/broken \[3\]|undefinedFunction/.test(e))).toEqual([]);
  });
});
