/**
 * The README's library example runs as written (from the repository root,
 * on the built packages), and prints what its comments say.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('README.md, "Library, one example per package"', () => {
  it('runs as written and prints the gradient and the softmax its comments state', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Library, one example per package'));
    const code = section.slice(section.indexOf('```ts') + 5, section.indexOf('```', section.indexOf('```ts') + 5));
    const out = mkdtempSync(join(tmpdir(), 'maskgrad-readme-'));
    // the example writes its perturb() output under out/: into a temporary folder here
    const script = join(ROOT, `.readme-example-${process.pid}.mjs`);
    writeFileSync(script, `${code.replaceAll("'out/img0'", JSON.stringify(join(out, 'img0')))}\nconsole.log('grad', Array.from(await x.grad.data()));\n`);
    try {
      const stdout = execFileSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(stdout).toContain('grad [ 7, 11, 9, 13 ]');
      expect(stdout.replace(/\s+/g, " ")).toMatch(/Float32Array\(3\) \[ 0\.09\d+, 0\.24\d+, 0\.66\d+ \]/);
      expect(stdout).toMatch(/cross 0\.99\d+ /);
      expect(readFileSync(join(out, 'img0', 'result.json'), 'utf8')).toContain('"label"');
    } finally {
      rmSync(script, { force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});
