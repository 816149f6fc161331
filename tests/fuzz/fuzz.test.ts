/**
 * The fuzz suite, in-process: several hundred generated malformed inputs (tests/fuzz/corpus-*.ts,
 * deterministic) through the CLI's main(), each checked for its exit code, a one-line message
 * that names the culprit (a path, a key, a flag), no stack trace, nothing written anywhere in
 * the sandbox, and bounded memory (the process's peak resident memory grows by less than
 * 64 MiB during the case). Valid edge cases must write a whole, finite result. Signals,
 * concurrent writers and allocation bombs run as real processes in processes.test.ts.
 * The table of cases by class (printed at the end) is the one in packages/cli/README.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_FILES } from '@maskgrad/perturb/node';
import type { Case, CaseClass } from './case.js';
import { checkpointCases } from './corpus-checkpoints.js';
import { imageCases } from './corpus-images.js';
import { optionCases, outputCases, runtimeCases } from './corpus-options.js';
import { ROOT, runInProcess } from './run-cli.js';
import { createSandbox, snapshot } from './sandbox.js';

const s = await createSandbox();
const corpus: Case[] = [...checkpointCases(s), ...imageCases(s), ...optionCases(s), ...outputCases(s), ...runtimeCases(s)];
const CLASSES: CaseClass[] = ['safetensors', 'config', 'image', 'option', 'output', 'runtime'];

/** The corpus by class and expected exit code, as a Markdown table (the CLI README holds this one). */
export function corpusTable(cases: readonly Case[]): string {
  const rows = CLASSES.map((c) => {
    const of = cases.filter((x) => x.class === c);
    const count = (exit: number) => of.filter((x) => x.exit === exit).length;
    return `| ${c} | ${of.length} | ${count(2)} | ${count(1)} | ${count(0)} |`;
  });
  const count = (exit: number) => cases.filter((x) => x.exit === exit).length;
  return ['| class | cases | exit 2 (refused) | exit 1 (stopped) | exit 0 (done) |', '|---|---:|---:|---:|---:|', ...rows,
    `| all | ${cases.length} | ${count(2)} | ${count(1)} | ${count(0)} |`].join('\n');
}

/** Every result.json under `folder` parses and holds only finite numbers; every result folder is whole. */
function expectWholeResults(folder: string): void {
  const files = readdirSync(folder);
  const folders = files.includes('result.json') ? [folder] : files.map((f) => join(folder, f));
  for (const f of folders) {
    expect(readdirSync(f).sort()).toEqual([...OUTPUT_FILES].sort());
    // JSON writes NaN and ±Infinity as null: the only null allowed is an unset constant colour
    const nulls: string[] = [];
    JSON.parse(readFileSync(join(f, 'result.json'), 'utf8'), (key, v: unknown) => {
      if (v === null && key !== 'constantColor') nulls.push(key);
      return v;
    });
    expect(nulls).toEqual([]);
  }
}

const seen = new Map<string, number>();

beforeAll(async () => {
  delete process.env.MASKGRAD_DEBUG;
  delete process.env.MASKGRAD_PROGRESS;
  // warm up: the backend and the kernels of the commands that run, so that the memory bound measures the case
  await runInProcess(['classify', s.png, '--model', s.hf]);
  await runInProcess(['explain', s.png, s.jpeg, '--model', s.hf, '--iterations', '2', '--out', join(s.root, 'warm-up')]);
  await runInProcess(['attack', s.png, '--model', s.hf, '--steps', '1', '--out', join(s.root, 'warm-up-attack')]);
});

afterAll(() => {
  process.stdout.write(`\nfuzz corpus (${corpus.length} in-process cases; outcomes as expected unless a test above failed):\n${corpusTable(corpus)}\n`);
  s.remove();
});

describe(`fuzz: ${corpus.length} malformed inputs through the CLI, in-process`, () => {
  it.each(corpus.map((c) => [c.class, c.name, c] as const))('%s: %s', async (_, __, c) => {
    // a refused run (exit 2) writes nothing, not even a probe (folders' times included); one
    // that ran (0, 1) has made and removed a probe beside its output folder: folders' times left out
    const folderTimes = c.exit === 2 || (c.exit === 0 && c.out === undefined);
    const before = snapshot(s.root, folderTimes);
    const r = await runInProcess(c.argv);
    seen.set(c.class, (seen.get(c.class) ?? 0) + 1);
    expect(r.code, `${c.argv.join(' ')}\n${r.stderr}`).toBe(c.exit);
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
    if (c.exit === 0 && c.out === undefined) {
      expect(snapshot(s.root, folderTimes)).toEqual(before);
      expect(JSON.stringify(JSON.parse(r.stdout))).not.toContain('null'); // --json: NaN would be null
    } else if (c.exit === 0) {
      expect(snapshot(s.root, folderTimes).filter((p) => !p.startsWith(c.out!))).toEqual(before.filter((p) => !p.startsWith(c.out!)));
      expectWholeResults(c.out!);
    } else {
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^maskgrad: error: /);
      expect(lines[0]).not.toContain('unexpected failure');
      expect(lines[0]).toContain(c.culprit!);
      expect(snapshot(s.root, folderTimes)).toEqual(before);
    }
    expect(r.peakGrowthMiB).toBeLessThan(64);
  });

  it('covers every class with several hundred cases, and the CLI README holds the table', () => {
    expect(corpus.length).toBeGreaterThan(400);
    for (const c of CLASSES) expect(corpus.filter((x) => x.class === c).length).toBeGreaterThan(0);
    const readme = readFileSync(join(ROOT, 'packages/cli/README.md'), 'utf8');
    expect(readme).toContain(corpusTable(corpus));
  });
});
