/**
 * One source of truth: the defaults the READMEs state are DEFAULTS', as
 * written by scripts/readme-defaults.mjs (defaultsMarkdown()).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, defaultsMarkdown } from '@maskgrad/perturb';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('the READMEs state the shipped defaults', () => {
  it.each(['README.md', 'packages/perturb/README.md'])('%s: the <!-- defaults --> block is defaultsMarkdown() (node scripts/readme-defaults.mjs rewrites it)', (file) => {
    const text = readFileSync(`${ROOT}/${file}`, 'utf8');
    const block = /<!-- defaults -->\n([\s\S]*?)\n<!-- \/defaults -->/.exec(text);
    expect(block, `${file} has no <!-- defaults --> block`).not.toBeNull();
    expect(block![1]).toBe(defaultsMarkdown());
  });

  it('the generated text states the defaults (a change to DEFAULTS changes it)', () => {
    const md = defaultsMarkdown();
    expect(md).toContain(`areas ${DEFAULTS.extremal.areas.join(', ')}`);
    expect(md).toContain(`${DEFAULTS.extremal.iterations} iterations of Adam at lr ${DEFAULTS.extremal.lr}`);
    expect(md).toContain(`${DEFAULTS.meaningful.iterations} iterations of Adam at lr ${DEFAULTS.meaningful.lr}`);
    expect(md).toContain(`l1 ${DEFAULTS.meaningful.l1}, tv ${DEFAULTS.meaningful.tv}`);
  });
});
