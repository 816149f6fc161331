/**
 * docs/autograd-walkthrough.md stays true to the code: its runnable example
 * (docs/walkthrough-example.mjs, on the built packages) prints what the page
 * shows, every file path it cites exists, and every function, method or class
 * it names (a `name(...)` code span, a `Class.method`, a camelCase or
 * PascalCase identifier) is defined somewhere in packages/, and its count of
 * the files one iteration opens matches its table, each file defining the
 * function the table lists for it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs/autograd-walkthrough.md'), 'utf8');

/** Every file under dir, repository-relative (no node_modules, dist or dot folders). */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : [relative(ROOT, p)];
  });
}

/** The single-backtick code spans of the page's prose (fenced blocks left out). */
const spans = [...DOC.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

describe('docs/autograd-walkthrough.md', () => {
  it('its example runs and prints the numbers the page shows', () => {
    const stdout = execFileSync(process.execPath, [join(ROOT, 'docs/walkthrough-example.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const shown = DOC.slice(DOC.indexOf('The program prints:'));
    const block = shown.slice(shown.indexOf('```\n') + 4, shown.indexOf('```', shown.indexOf('```\n') + 4));
    expect(stdout.trim()).toBe(block.trim());
  });

  it('every file path it cites exists', () => {
    const all = files(ROOT);
    const paths = [...spans, ...[...DOC.matchAll(/\]\(([^)]+)\)/g)].map((m) => `docs/${m[1]}`)]
      .filter((s) => /^[\w./-]+\.(ts|mjs|js|md|svg|json)$/.test(s));
    expect(paths.length).toBeGreaterThan(25);
    // a full path from the repository root, or the end of one (`ops/sort.ts` under the package being read)
    const missing = paths.filter((p) => !existsSync(join(ROOT, p)) && !all.some((f) => f.endsWith(`/${p}`)));
    expect(missing).toEqual([]);
  });

  it('every function, method and class it names is defined in packages/', () => {
    const source = files(join(ROOT, 'packages')).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const BUILTIN = new Set(['FinalizationRegistry', 'Float32Array', 'Promise']);
    const names = new Set<string>();
    for (const s of spans) {
      const call = /^(?:await\s+)?([\w.!]+)\(/.exec(s);
      if (call) names.add(call[1]!.split('.').pop()!.replace('!', ''));
      else if (/^[A-Z]\w*\.\w+$/.test(s)) s.split('.').forEach((n) => names.add(n));
      else if (/^[a-z]+[A-Z]\w*$|^[A-Z][a-z]+[A-Z]\w*$/.test(s)) names.add(s);
    }
    for (const n of BUILTIN) names.delete(n);
    expect(names.size).toBeGreaterThan(30);
    const defined = (n: string) => new RegExp(
      `(function\\s+${n}\\b|\\*\\s+as\\s+${n}\\b|(const|let|class|interface|type)\\s+${n}\\b|^\\s*(?:(?:readonly|private|protected|static|async|get|abstract|override)\\s+)*${n}\\s*[(<:?]|\\b${n}\\s*[:=]\\s*(?:async\\s*)?\\()`, 'm',
    ).test(source);
    expect([...names].filter((n) => !defined(n))).toEqual([]);
  });

  it('its table of the files one iteration opens: each file defines its function, and the counts in the text match', () => {
    const section = DOC.slice(DOC.indexOf('**How many files.**'), DOC.indexOf('## 7.'));
    const rows = [...section.matchAll(/^\| [^|]+ \| `(\w+)` \| `([\w./-]+)` \| (both|host|WebGPU) \|$/gm)]
      .map((m) => ({ name: m[1]!, file: m[2]!, on: m[3]! }));
    expect(rows.length).toBeGreaterThan(10);
    const undefinedThere = rows.filter(({ name, file }) => !new RegExp(
      `(function\\s+${name}\\b|(const|class)\\s+${name}\\b)`,
    ).test(readFileSync(join(ROOT, file), 'utf8')));
    expect(undefinedThere).toEqual([]);
    const count = (backend: string) => new Set(rows.filter((r) => r.on === 'both' || r.on === backend).map((r) => r.file)).size;
    expect(section).toContain(`**${count('host')} files on a host backend and ${count('WebGPU')} on WebGPU**`);
  });
});
