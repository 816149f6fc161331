import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // a command, not a library: no type declarations
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  banner: { js: '#!/usr/bin/env node' },
  // Never bundle the workspace packages: the CLI must share their module state
  // (the process-wide backend in @maskgrad/autograd) and error classes.
  external: [/^@maskgrad\//],
});
