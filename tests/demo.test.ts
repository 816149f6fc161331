/**
 * The README's first command, `npm run demo`: scripts/demo.mjs on the built
 * packages (npm test builds them first) explains the bundled example images
 * with the built-in model and writes one folder per image and an overview.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'maskgrad-demo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run demo', () => {
  it('explains the five example images as one batch and says where it wrote them', () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.MASKGRAD_PROGRESS;
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/demo.mjs'), '--out', out], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/explaining 5 images .* as one batch/);
    const names = ['cross', 'disc', 'ring', 'square', 'triangle'];
    expect(readdirSync(out).sort()).toEqual([...names, 'overview.png'].sort());
    for (const name of names) {
      const result = JSON.parse(readFileSync(join(out, name, 'result.json'), 'utf8')) as { label: string; options: { game: string } };
      expect(result.label).toBe(name); // the built-in model gets every example right
      expect(existsSync(join(out, name, 'collage.png'))).toBe(true);
      expect(r.stdout).toContain(`${name}.png`);
    }
    expect(r.stdout).toMatch(/demo: wrote .* in \d+\.\d s/);
  });
});
