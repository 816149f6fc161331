// Two copies of @maskgrad/autograd in one process: the sources (as every test imports them) and the
// built dist (npm run build), loaded side by side. A tensor of one copy in an op of the other is
// an error that names both copies and the fix, not one about backends.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tensor } from '@maskgrad/autograd';

const dist = new URL('../packages/autograd/dist/index.js', import.meta.url);

describe('two copies of the engine', () => {
  it('an op meeting a tensor of the other copy names both copies and says to bundle one', async () => {
    expect(existsSync(fileURLToPath(dist)), 'packages/autograd/dist is missing: run npm run build').toBe(true);
    const other = (await import(/* @vite-ignore */ dist.href)) as typeof import('@maskgrad/autograd');
    const mine = tensor([1, 2]);
    const theirs = other.tensor([3, 4]);
    const named = /two copies of @maskgrad\/autograd are loaded: \S*autograd\/src\/engine-copies\.ts and \S*autograd\/dist\/index\.js;.*Bundle one copy/;
    expect(() => mine.add(theirs)).toThrow(named);
    expect(() => theirs.mul(mine)).toThrow(named);
    // each copy still works on its own tensors
    expect(Array.from(await mine.add(mine).data())).toEqual([2, 4]);
    expect(Array.from(await theirs.add(theirs).data())).toEqual([6, 8]);
  });
});
