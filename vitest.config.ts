import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests import the packages' TypeScript sources directly, so a test run never
// depends on a stale dist/. The CLI end-to-end tests run the built binary.
export default defineConfig({
  resolve: {
    alias: [
      // test helpers (seeded data, the host test backends): for tests only, not exported by the package
      { find: /^@maskgrad\/kernels\/testing$/, replacement: src('kernels/src/testing.ts') },
      { find: /^@maskgrad\/kernels\/node$/, replacement: src('kernels/src/node.ts') },
      { find: /^@maskgrad\/models\/node$/, replacement: src('models/src/node.ts') },
      { find: /^@maskgrad\/perturb\/node$/, replacement: src('perturb/src/node.ts') },
      { find: /^@maskgrad\/(kernels|autograd|models|perturb)$/, replacement: src('$1/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // --expose-gc: the memory-discipline tests measure heap after a forced collection
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
