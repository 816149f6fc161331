/** Absolute path of the bundle: examples/browser/dist/main.js. */
export const OUTFILE: string;

/** Bundle main.ts with the maskgrad sources for the browser into dist/main.js. */
export function buildExample(options?: { minify?: boolean }): Promise<{ outfile: string; bytes: number }>;
