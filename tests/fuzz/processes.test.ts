/**
 * The fuzz suite, as real processes (the built binary): what only a process can show.
 *   - allocation bombs (/dev/zero, a complete 20000 × 20000 PNG, a forged PNG header, configs
 *     asking for 100000 layers or a 10⁹-pixel input): exit 2, and the process's peak resident
 *     memory stays within 48 MiB of a run that classifies a valid image;
 *   - SIGKILL while a previous result is being replaced, at times chosen to land in the write:
 *     --out is the old result or the new one, whole (or, killed between the two renames, both
 *     sit beside it and the next run puts the new one in place); the next run leaves no
 *     temporary folder behind; SIGINT exits 130 and leaves the old result;
 *   - three runs writing the same --out at once: all succeed, every look at --out while they
 *     run sees a whole result or none, and the last one standing is whole; two runs at once into
 *     an --out that holds a previous result both succeed (neither sees the other's probe);
 *   - an --out holding a previous result inside a read-only (555) folder, run by an unprivileged
 *     user: exit 2 before the work, naming the folder and what to do.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_FILES } from '@maskgrad/perturb/node';
import { BIN, runProcess, startProcess, type RunAs } from './run-cli.js';
import { createSandbox, snapshot, tinyCheckpoint, safetensorsBytes, TINY_TIMM } from './sandbox.js';

const s = await createSandbox();
afterAll(() => s.remove());
const ALL = [...OUTPUT_FILES].sort();

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A complete, valid 1-bit grey PNG of width × height (all black): small on disk, huge decoded. */
function hugePng(width: number, height: number, raw = Buffer.alloc(height * (1 + Math.ceil(width / 8)))): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('allocation bombs as processes: refused with exit 2, memory flat', () => {
  let baseline = NaN;
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
    const r = runProcess(['classify', s.png, '--model', s.hf]);
    expect(r.code, r.stderr).toBe(0);
    baseline = r.peakMiB;
  });

  const bombs: [string, () => string[], string][] = [
    ['an image path of /dev/zero', () => ['classify', '/dev/zero', '--model', s.hf], '/dev/zero'],
    ['--model /dev/zero', () => ['classify', s.png, '--model', '/dev/zero', '--config', join(s.hf, 'config.json')], '/dev/zero'],
    ['a complete 20000 × 20000 PNG', () => {
      const path = join(s.inputs, 'huge.png');
      writeFileSync(path, hugePng(20_000, 20_000));
      return ['classify', path, '--model', s.hf];
    }, '20000 × 20000 = 400000000 pixels'],
    ['a PNG header of 6000 × 6000 over 1 KB of data', () => {
      const path = join(s.inputs, 'forged.png');
      writeFileSync(path, hugePng(6000, 6000, Buffer.alloc(1000)));
      return ['explain', path, '--model', s.hf, '--out', join(s.outputs, 'forged')];
    }, 'the data is shorter than the header says'],
    ['num_hidden_layers 100000', () => ['classify', s.png, '--model', tinyCheckpoint(s, join(s.inputs, 'layers'), safetensorsBytes(s.weights.header, s.weights.data), (c) => (c.num_hidden_layers = 100_000))], 'vit.layers.1.layernorm_before.weight'],
    ['image_size 1e9', () => ['classify', s.png, '--model', tinyCheckpoint(s, join(s.inputs, 'image-size'), safetensorsBytes(s.weights.header, s.weights.data), (c) => (c.image_size = 999_999_992))], 'position_embeddings'],
    ['timm depth 1e7', () => {
      const path = join(s.inputs, 'depth', 'timm_config.json');
      mkdirSync(join(path, '..'));
      writeFileSync(path, JSON.stringify({ ...TINY_TIMM, depth: 1e7 }));
      return ['classify', s.png, '--model', s.timmWeights, '--config', path];
    }, 'blocks.1.norm1.weight'],
  ];
  it.each(bombs)('%s', (_, argv, culprit) => {
    const r = runProcess(argv(), 30_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(culprit);
    expect(r.peakMiB, `peak ${r.peakMiB.toFixed(0)} MiB, baseline ${baseline.toFixed(0)} MiB`).toBeLessThan(baseline + 48);
    process.stdout.write(`${_}: exit ${r.code}, peak ${r.peakMiB.toFixed(0)} MiB (a valid classify: ${baseline.toFixed(0)} MiB)\n`);
  });
});

/**
 * What is in `out` now: 'absent', 'whole' (the seven files, or one folder of them per image) or
 * 'partial: ...'. A folder that vanishes while it is read was being swapped: 'absent'.
 */
function look(out: string): string {
  try {
    const files = readdirSync(out).sort();
    if (files.includes('result.json')) return files.join(',') === ALL.join(',') ? 'whole' : `partial: ${files.join(',')}`;
    const partial = files.filter((f) => readdirSync(join(out, f)).sort().join(',') !== ALL.join(','));
    return files.length > 0 && partial.length === 0 ? 'whole' : `partial: ${files.join(',')}`;
  } catch {
    return 'absent';
  }
}

const temporaries = (dir: string) => readdirSync(dir).filter((f) => /\.mg-\d+-[0-9a-f]{8}\.(new|old)$/.test(f));
const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));

describe('interrupted writes', () => {
  // 16 images into one --out: 112 files, so that the write lasts long enough for a kill to land in it
  const images = Array.from({ length: 16 }, (_, i) => {
    const path = join(s.inputs, `many-${i}.png`);
    writeFileSync(path, readFileSync(s.png));
    return path;
  });
  const explainArgs = (out: string, seed: number) => ['explain', ...images, '--model', s.hf, '--out', out, '--iterations', '2', '--method', 'meaningful', '--mask-noise', '0.3', '--seed', String(seed)];

  it('SIGKILL while a previous result is replaced: --out is the old or the new result, whole; the next run cleans up', async () => {
    const parent = join(s.outputs, 'killed');
    mkdirSync(parent);
    const out = join(parent, 'result');
    const outcomes: string[] = [];
    const delays = [0, 30, 400]; // ms after the temporary folder appears
    expect(runProcess(explainArgs(out, 100)).code).toBe(0);
    for (const [attempt, delay] of delays.entries()) {
      const old = readFileSync(join(out, 'many-0', 'result.json'), 'utf8');
      const child = startProcess(explainArgs(out, 200 + attempt));
      const watcher = watch(parent, (_, name) => {
        if (name && /\.new$/.test(name)) setTimeout(() => child.kill('SIGKILL'), delay);
      });
      await exited(child);
      watcher.close();
      const state = look(out);
      const leftovers = temporaries(parent);
      if (state === 'whole') {
        outcomes.push(readFileSync(join(out, 'many-0', 'result.json'), 'utf8') === old ? 'old' : 'new');
      } else {
        // killed between the two renames: the whole new result waits beside the old one
        expect(state).toBe('absent');
        expect(leftovers.map((f) => f.slice(-3)).sort()).toEqual(['new', 'old']);
        outcomes.push('between the renames');
      }
      // the next run finishes or removes what the killed one left, then writes whole (the next attempt's old result)
      const next = runProcess(explainArgs(out, 300 + attempt));
      expect(next.code, next.stderr).toBe(0);
      expect(look(out)).toBe('whole');
      expect(temporaries(parent)).toEqual([]);
    }
    process.stdout.write(`SIGKILL ${delays.join(', ')} ms into the write, --out afterwards: ${outcomes.join(', ')}\n`);
  });

  it('SIGINT during the explanation: exit 130, the previous result untouched, nothing left behind', async () => {
    const parent = join(s.outputs, 'interrupted');
    mkdirSync(parent);
    const out = join(parent, 'result');
    const args = ['explain', s.png, '--model', s.hf, '--out', out];
    expect(runProcess([...args, '--iterations', '2']).code).toBe(0);
    const old = readFileSync(join(out, 'result.json'), 'utf8');
    const child = startProcess([...args, '--iterations', '100000']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    setTimeout(() => child.kill('SIGINT'), 1500);
    expect(await exited(child)).toBe(130);
    expect(stderr).toMatch(/maskgrad: interrupted \(SIGINT\); nothing more is written/);
    expect(readFileSync(join(out, 'result.json'), 'utf8')).toBe(old);
    expect(temporaries(parent)).toEqual([]);
  });
});

describe('concurrent writers', () => {
  it('three runs write the same --out at once: all succeed, --out is never partial, the survivor is whole', async () => {
    const parent = join(s.outputs, 'concurrent');
    mkdirSync(parent);
    const out = join(parent, 'result');
    const seen = new Map<string, number>();
    const poll = setInterval(() => {
      const state = look(out);
      seen.set(state, (seen.get(state) ?? 0) + 1);
    }, 1);
    const children = [1, 2, 3].map((seed) => startProcess(['explain', s.png, s.jpeg, '--model', s.hf, '--out', out, '--iterations', '3', '--method', 'meaningful', '--seed', String(seed), '--mask-noise', '0.3']));
    const codes = await Promise.all(children.map(exited));
    clearInterval(poll);
    expect(codes).toEqual([0, 0, 0]);
    expect([...seen.keys()].filter((k) => k.startsWith('partial'))).toEqual([]);
    // several images: --out holds one whole result folder per image
    expect(readdirSync(out).sort()).toEqual(['tiny', 'tiny-2']);
    for (const f of readdirSync(out)) expect(readdirSync(join(out, f)).sort()).toEqual(ALL);
    expect(temporaries(parent)).toEqual([]);
    process.stdout.write(`three concurrent writers, looks at --out while they ran: ${[...seen].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  });

  it('two runs at once into an --out holding a previous result, three times: both succeed, the survivor is whole', async () => {
    const parent = join(s.outputs, 'concurrent-over');
    mkdirSync(parent);
    const out = join(parent, 'result');
    const rounds: string[] = [];
    for (const [round, images] of [[s.png], [s.png, s.jpeg], [s.png]].entries()) {
      const args = (seed: number) => ['explain', ...images, '--model', s.hf, '--out', out, '--iterations', '2', '--method', 'meaningful', '--seed', String(seed)];
      const first = runProcess(args(10 + round));
      expect(first.code, first.stderr).toBe(0);
      const children = [1, 2].map((k) => startProcess(args(20 + 2 * round + k)));
      const stderr = children.map((child) => {
        let text = '';
        child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
        return () => text;
      });
      const codes = await Promise.all(children.map(exited));
      expect(codes, stderr.map((e) => e()).join('\n')).toEqual([0, 0]);
      expect(look(out)).toBe('whole');
      expect(temporaries(parent)).toEqual([]);
      rounds.push(`${images.length} image${images.length > 1 ? 's' : ''}: exit ${codes.join(', ')}`);
      rmSync(out, { recursive: true });
    }
    process.stdout.write(`two runs at once over a previous result, three rounds: ${rounds.join('; ')}\n`);
  });
});

/**
 * Who runs the read-only case: this user, or `nobody` (65534) when the suite runs as root (root
 * writes into a 555 folder anyway); `skip`, with the reason, where neither can run the binary.
 */
function unprivileged(): { as?: RunAs } | { skip: string } {
  const uid = process.getuid?.();
  if (uid === undefined) return { skip: 'no POSIX users here (Windows): permission bits do not apply' };
  if (uid !== 0) return {};
  const as = { uid: 65534, gid: 65534 };
  chmodSync(s.root, 0o755); // mkdtemp made it 700: nobody reads the model and image in it
  const r = runProcess(['--version'], 30_000, as);
  return r.code === 0 ? { as } : { skip: `running as root, and the binary does not start as nobody (uid 65534): ${r.stderr.trim().split('\n')[0]}` };
}

describe('an output folder whose parent is read-only', () => {
  it('is refused with exit 2 before the work, naming the folder and what to do', (ctx) => {
    const who = unprivileged();
    if ('skip' in who) {
      process.stdout.write(`read-only parent: skipped, ${who.skip}\n`);
      ctx.skip();
      return;
    }
    const parent = join(s.outputs, 'read-only');
    mkdirSync(parent);
    const out = join(parent, 'result');
    expect(runProcess(['explain', s.png, '--model', s.hf, '--out', out, '--iterations', '2']).code).toBe(0);
    if (who.as) for (const path of [out, ...readdirSync(out).map((f) => join(out, f))]) chownSync(path, who.as.uid, who.as.gid); // the user's own result
    chmodSync(parent, 0o555);
    try {
      const before = snapshot(parent);
      // 100000 iterations take minutes: an answer within the timeout comes before the work
      const r = runProcess(['explain', s.png, '--model', s.hf, '--out', out, '--iterations', '100000'], 30_000, who.as);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`--out ${out} cannot be replaced: its folder ${parent} takes no new entries`);
      expect(r.stderr).toContain(`(EACCES). Make ${parent} writable, or pass an --out in a folder you can write to.`);
      expect(snapshot(parent)).toEqual(before);
      expect(statSync(parent).mode & 0o777).toBe(0o555);
      process.stdout.write(`read-only parent (as ${who.as ? 'nobody' : 'this user'}): exit ${r.code}: ${r.stderr.trim()}\n`);
    } finally {
      chmodSync(parent, 0o755);
    }
  });
});
