/**
 * The packages' source files import each other downwards only: no cycle
 * among the modules of a package (type-only imports, which vanish at run
 * time, aside), and dependencies between packages flow one way,
 * kernels ← autograd ← models ← perturb ← cli.
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
});
