import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCreatable, OutputError, recoverStale, writeFolder } from './write-folder.js';

const root = mkdtempSync(join(tmpdir(), 'maskgrad-write-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The files of a folder (recursively) with their contents. */
function contents(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(folder.length + 1)] = readFileSync(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

/** The pid of a process that has exited: what a killed run leaves in its temporary folders' names. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

/** The temporary prefix write-folder.ts uses beside a folder named `name` (short name: all of it). */
const prefixOf = (name: string) => `.${name}.${createHash('sha256').update(name).digest('hex').slice(0, 8)}.mg-`;

describe('writeFolder', () => {
  it('writes nested files, replaces a previous folder whole, and leaves no temporary folder', () => {
    const out = join(root, 'result');
    writeFolder(out, { 'a.txt': 'one', 'sub/b.txt': 'two' });
    writeFolder(out, { 'c.txt': 'three' });
    expect(contents(out)).toEqual({ 'c.txt': 'three' });
    expect(readdirSync(root).filter((f) => f.includes('.mg-'))).toEqual([]);
  });

  it('takes a 250-character name (its temporary names stay short)', () => {
    const out = join(root, 'x'.repeat(250));
    checkCreatable(out);
    writeFolder(out, { 'a.txt': 'long' });
    expect(contents(out)).toEqual({ 'a.txt': 'long' });
  });
});

describe('recoverStale: what killed runs leave is finished or removed', () => {
  const setUp = (name: string, kinds: ('new' | 'old')[], withFolder: boolean, pid = deadPid()) => {
    const out = join(root, name);
    if (withFolder) writeFolder(out, { 'r.txt': 'previous' });
    const prefix = prefixOf(name);
    for (const kind of kinds) {
      mkdirSync(join(root, `${prefix}${pid}-0123abcd.${kind}`));
      writeFileSync(join(root, `${prefix}${pid}-0123abcd.${kind}`, 'r.txt'), kind);
    }
    return { out, temps: () => readdirSync(root).filter((f) => f.startsWith(prefix)) };
  };

  it('killed while writing (.new only): the previous result stays, the temporary folder goes', () => {
    const { out, temps } = setUp('killed-writing', ['new'], true);
    recoverStale(out);
    expect(contents(out)).toEqual({ 'r.txt': 'previous' });
    expect(temps()).toEqual([]);
  });

  it('killed between the two renames (.new and .old, no folder): the new result is put in place', () => {
    const { out, temps } = setUp('killed-swapping', ['new', 'old'], false);
    recoverStale(out);
    expect(contents(out)).toEqual({ 'r.txt': 'new' });
    expect(temps()).toEqual([]);
  });

  it('killed while removing the old result (.old beside the folder): the folder stays', () => {
    const { out, temps } = setUp('killed-cleaning', ['old'], true);
    recoverStale(out);
    expect(contents(out)).toEqual({ 'r.txt': 'previous' });
    expect(temps()).toEqual([]);
  });

  it("removes the .<name>.partial-<pid> folders of dead runs of earlier versions", () => {
    const { out } = setUp('legacy', [], true);
    const stale = join(root, `.legacy.partial-${deadPid()}`);
    mkdirSync(stale);
    writeFileSync(join(stale, 'mask.png'), 'half');
    recoverStale(out);
    expect(readdirSync(root).filter((f) => f.startsWith('.legacy.'))).toEqual([]);
    expect(contents(out)).toEqual({ 'r.txt': 'previous' });
  });

  it('leaves the temporary folders of a live process alone', () => {
    const { out, temps } = setUp('live', ['new'], true, process.pid);
    recoverStale(out);
    expect(temps()).toHaveLength(1);
  });
});

describe('checkCreatable: before any work, can --out be made here?', () => {
  it.each([
    ['a 256-byte name', () => join(root, 'y'.repeat(256)), /the name 'y+\.\.\.' is 256 bytes; file names are limited to 255\. Pass a shorter name\./],
    ['a folder under /proc', () => '/proc/maskgrad-out', /--out \/proc\/maskgrad-out cannot be created: nothing can be created in \/proc \(ENOENT\)/],
    ['a folder under /sys', () => '/sys/maskgrad/out', /cannot be created: nothing can be created in \/sys \(EPERM\)/],
    ['a parent that is a file', () => {
      writeFileSync(join(root, 'plain-file'), 'x');
      return join(root, 'plain-file', 'out');
    }, /plain-file is a file, not a folder/],
    ['a path too long', () => join(root, ...Array.from({ length: 40 }, () => 'z'.repeat(100))), /the path is \d+ bytes long, too long/],
  ])('%s', (_, makePath, message) => {
    const path = makePath();
    const before = readdirSync(root).length;
    expect(() => checkCreatable(path)).toThrow(OutputError);
    expect(() => checkCreatable(path)).toThrow(message);
    expect(readdirSync(root).length).toBe(before); // the probe is gone
  });

  it('probes beside an existing folder, never inside it: the folder (and its time) stay as they were', () => {
    const out = join(root, 'probed');
    writeFolder(out, { 'r.txt': 'previous' });
    const [before, parentBefore] = [statSync(out), readdirSync(root).sort()];
    checkCreatable(out);
    expect(statSync(out).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(out).ctimeMs).toBe(before.ctimeMs);
    expect(contents(out)).toEqual({ 'r.txt': 'previous' });
    expect(readdirSync(root).sort()).toEqual(parentBefore);
  });

  it("a killed run's probe beside the folder is removed by the next run", () => {
    const out = join(root, 'probe-left');
    const probe = join(root, `${prefixOf('probe-left')}${deadPid()}-0123abcd.probe`);
    mkdirSync(probe);
    recoverStale(out);
    expect(readdirSync(root)).not.toContain(probe.slice(root.length + 1));
  });
});
