/** Paths to the PyTorch reference fixtures copied into the repo (see tests/fixtures/README.md). */
import { fileURLToPath } from 'node:url';

export { cosine, maxAbs, maxAbsDiff, meanAbsDiff, pearson } from './compare.js';

export const fixture = (p: string) => fileURLToPath(new URL(`./fixtures/${p}`, import.meta.url));
