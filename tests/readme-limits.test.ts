/** The limits the READMEs state are the constants the code enforces (one source of truth). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_CHECKPOINT_FILE_BYTES, MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_JSON_FILE_BYTES, MAX_SAFETENSORS_HEADER_BYTES } from '@maskgrad/models';
import { LIMITS } from '@maskgrad/perturb';

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), 'utf8').replace(/\s+/g, ' ');
const [MiB, GiB] = [2 ** 20, 2 ** 30];
const exp = (x: number) => x.toExponential().replace('e+', 'e'); // 1e6

describe('the limits in the READMEs are those of packages/models/src/limits.ts and packages/perturb/src/options.ts', () => {
  it('packages/cli/README.md, "Hostile input"', () => {
    const readme = read('packages/cli/README.md');
    expect(readme).toContain(`at most ${MAX_IMAGE_FILE_BYTES / MiB} MiB for an image, ${MAX_CHECKPOINT_FILE_BYTES / GiB} GiB for a checkpoint, ${MAX_JSON_FILE_BYTES / MiB} MiB for a config`);
    expect(readme).toContain(`at most ${MAX_IMAGE_PIXELS} pixels (${MAX_IMAGE_PIXELS / 1e6} megapixels)`);
    expect(readme).toContain(`(at most ${MAX_SAFETENSORS_HEADER_BYTES} bytes, as the reference reader)`);
    expect(readme).toContain(`\`--l1\` and \`--tv\` at most ${exp(LIMITS.weight)}`);
    expect(readme).toContain(`\`--tv-beta\` at most ${LIMITS.tvBeta}`);
  });

  it('packages/models/README.md, packages/perturb/README.md and README.md', () => {
    const models = read('packages/models/README.md');
    expect(models).toContain(`at most ${MAX_IMAGE_FILE_BYTES / MiB} MiB per image, ${MAX_CHECKPOINT_FILE_BYTES / GiB} GiB per checkpoint, ${MAX_JSON_FILE_BYTES / MiB} MiB per JSON file; images at most ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
    expect(models).toContain(`a header of at most ${MAX_SAFETENSORS_HEADER_BYTES / 1e6} MB`);
    expect(read('packages/perturb/README.md')).toContain(`weights l1 and tv at most ${exp(LIMITS.weight)}, tv-beta at most ${LIMITS.tvBeta}`);
    expect(read('README.md')).toContain(`images at most ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
  });
});
