// Preloaded into a maskgrad process by the fuzz suite (node --import): on exit, write the
// process's peak resident memory (KiB, process.resourceUsage().maxRSS) to MASKGRAD_FUZZ_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.MASKGRAD_FUZZ_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
