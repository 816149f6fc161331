/**
 * Bundle the browser example: main.ts and the maskgrad packages' TypeScript
 * sources (not their dist/) into dist/main.js, one ES module for the page.
 *
 *   node examples/browser/build.mjs
 */
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const pkg = (name) => here(`../../packages/${name}/src/index.ts`);

export const OUTFILE = here('./dist/main.js');

/** Build dist/main.js (and its source map); resolves with its path and size in bytes. */
export async function buildExample({ minify = false } = {}) {
  const result = await build({
    entryPoints: [here('./main.ts')],
    outfile: OUTFILE,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    minify,
    metafile: true,
    logLevel: 'warning',
    // the optional native WebGPU binding is loaded only under Node, at run time
    external: ['webgpu'],
    alias: {
      '@maskgrad/kernels': pkg('kernels'),
      '@maskgrad/autograd': pkg('autograd'),
      '@maskgrad/models': pkg('models'),
      '@maskgrad/perturb': pkg('perturb'),
    },
  });
  return { outfile: OUTFILE, bytes: result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('main.js'))].bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { outfile, bytes } = await buildExample({ minify: process.argv.includes('--minify') });
  console.log(`wrote ${outfile} (${(bytes / 1024).toFixed(0)} KiB)`);
}
