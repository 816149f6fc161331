/**
 * The packages' source files import each other downwards only: no cycle
 * among the modules of a package (type-only imports, which vanish at run
 * time, aside), and dependencies between packages flow one way,
 * kernels ← autograd ← models ← perturb ← cli. And autograd's backward
 * rules use only what ops/untracked.ts (and the kernels) give them: no
 * function a rule calls is imported from a tracked op's file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../packages/', import.meta.url));
const ORDER = ['kernels', 'autograd', 'models', 'perturb', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Import and re-export specifiers of a file that load code at run time (not `import type` / `export type`). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) if (!m[2]) specs.push(m[3]);
  return specs;
}

describe('import graph', () => {
  it.each(ORDER)('packages/%s: no import cycle among its modules', (pkg) => {
    const files = sources(join(ROOT, pkg, 'src'));
    const graph = new Map(files.map((f) => [f, runtimeImports(f).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(f), s.replace(/\.js$/, '.ts')))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(ROOT, p)).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(files.length).toBeGreaterThan(3);
    expect(cycles).toEqual([]);
  });

  it.each(ORDER)('packages/%s imports only the packages below it', (pkg) => {
    const allowed = ORDER.slice(0, ORDER.indexOf(pkg));
    const wrong = sources(join(ROOT, pkg, 'src')).flatMap((f) => runtimeImports(f)
      .filter((s) => s.startsWith('@maskgrad/') && !allowed.includes(s.split('/')[1]) && s.split('/')[1] !== pkg)
      .map((s) => `${relative(ROOT, f)} imports ${s}`));
    expect(wrong).toEqual([]);
  });

  it("packages/autograd: the backward rules call no function imported from a tracked op's file", () => {
    const ops = join(ROOT, 'autograd/src/ops');
    const offences: string[] = [];
    let rules = 0;
    for (const f of sources(ops)) {
      const text = readFileSync(f, 'utf8');
      // names this file imports from its sibling op files, other than untracked.ts
      const tracked = [...text.matchAll(/^import\s+\{([^}]*)\}\s+from\s+'\.\/(?!untracked)[\w-]+\.js';/gm)]
        .flatMap((m) => m[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!).filter(Boolean));
      // each rule: the last argument of record(...) / viewResult(...), up to the call's closing parenthesis
      for (const m of text.matchAll(/\b(record|viewResult)\(/g)) {
        let depth = 0;
        let end = m.index! + m[0].length - 1;
        for (; end < text.length; end++) {
          if (text[end] === '(') depth++;
          else if (text[end] === ')' && --depth === 0) break;
        }
        const call = text.slice(m.index!, end);
        const rule = call.slice(call.search(/\((g|grad)\b[^)]*\)\s*=>/));
        if (rule === call) continue; // not a call that records a rule (the import line, say)
        rules++;
        for (const name of tracked) {
          if (new RegExp(`(?<![\\w.])${name}\\(`).test(rule)) offences.push(`${relative(ROOT, f)}: a rule calls ${name}()`);
        }
      }
    }
    expect(rules).toBeGreaterThan(20);
    expect(offences).toEqual([]);
  });
});
