/**
 * The core packages bundle for the browser: no Node-only module is reachable
 * from their main entry points (fs, image codecs and process I/O live in the
 * '/node' entries and the CLI).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = (p: string) => fileURLToPath(new URL(`../packages/${p}`, import.meta.url));

describe('browser bundles', () => {
  it.each(['kernels', 'autograd', 'models', 'perturb'])('@maskgrad/%s bundles for the browser without Node built-ins', async (pkg) => {
    const result = await build({
      entryPoints: [entry(`${pkg}/src/index.ts`)],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // the optional native WebGPU binding is loaded only under Node, at run time
      external: ['webgpu'],
      alias: {
        '@maskgrad/kernels': entry('kernels/src/index.ts'),
        '@maskgrad/autograd': entry('autograd/src/index.ts'),
        '@maskgrad/models': entry('models/src/index.ts'),
      },
    });
    // esbuild fails to resolve a Node built-in (node:fs…) for the browser platform
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile!.inputs);
    const foreign = inputs.filter((f) => !/^packages\/[a-z]+\/src\//.test(f) && f !== 'node_modules/gpu.js/dist/gpu-browser.js');
    expect(foreign).toEqual([]);
    expect(inputs.filter((f) => /\/node(\.ts|\/)/.test(f))).toEqual([]); // no Node entry point
    expect(inputs).toContain('node_modules/gpu.js/dist/gpu-browser.js'); // gpu.js's browser build
  });
});
