/**
 * End-to-end tests of the built `maskgrad` binary (packages/cli/dist/index.js):
 * exit codes, stdout/stderr contents and the files written, on the trained
 * 64 px shapes ViT. Build first: `npx turbo run build` (npm test does).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, LIMITS, defaultMaskSize } from '@maskgrad/perturb';
import { fixture } from './fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/index.js');
const MODEL = fixture('shapes-vit-hf');
const IMG0 = join(MODEL, 'images/img0.png'); // the model says: disc
const IMG2 = join(MODEL, 'images/img2.png'); // the model says: cross
const ALL = ['blurred.png', 'collage.png', 'heatmap.png', 'mask.png', 'perturbed.png', 'report.html', 'result.json'];

function maskgrad(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return maskgradIn(ROOT, ...args);
}

function maskgradIn(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return run(cwd, {}, args);
}

/** With MASKGRAD_PROGRESS=1: the progress lines that a terminal would show, in the pipe. */
function maskgradWithProgress(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return run(ROOT, { MASKGRAD_PROGRESS: '1' }, args);
}

function run(cwd: string, extra: NodeJS.ProcessEnv, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.MASKGRAD_DEBUG;
  if (extra.MASKGRAD_PROGRESS === undefined) delete env.MASKGRAD_PROGRESS;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(DAWN_STDERR, '') };
}

/**
 * What Dawn's native code (the 'webgpu' package) writes to stderr itself when it probes Vulkan (a
 * refused driver, a missing XDG_RUNTIME_DIR): not maskgrad's output, and not for it to silence.
 */
const DAWN_STDERR = /^(?:(?:Warning|error): [^\n]*\n(?:(?: - |    at )[^\n]*\n)*\n?)+/;

let tmp: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npx turbo run build' before the CLI tests`);
  tmp = mkdtempSync(join(tmpdir(), 'maskgrad-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('maskgrad help, version, info', () => {
  it('--help lists the commands and exits 0; <command> --help shows its flags', () => {
    const top = maskgrad('--help');
    expect(top.status).toBe(0);
    for (const c of ['classify', 'explain', 'info']) expect(top.stdout).toContain(c);
    const explain = maskgrad('explain', '--help');
    // the defaults it states are DEFAULTS' (the text is generated from them)
    const e = DEFAULTS.extremal;
    const m = DEFAULTS.meaningful;
    for (const line of [
      `--method <name>           extremal or meaningful (default ${DEFAULTS.method})`,
      `in one batch (default ${e.areas.join(',')})`, `(default ${e.keepShare})`, `optimization steps, at most 100000 (default ${e.iterations}; meaningful ${m.iterations})`,
      `Adam learning rate, at most 10 (default ${e.lr}; meaningful ${m.lr})`, `(default ${+(e.blurSigmaAt224 * 64 / 224).toFixed(2)} at 64 px, ${e.blurSigmaAt224} at 224, scaled)`,
      `levels of the blur pyramid (default ${e.levels})`, `(default ×${e.areaWeightGrowth})`, `weight of the mask-area term, 0 to ${LIMITS.weight} (default ${m.l1})`,
      `weight of the total-variation term, 0 to ${LIMITS.weight} (default ${m.tv})`, `${defaultMaskSize(64)} at 64, ${defaultMaskSize(224)} at 224`,
    ]) expect(explain.stdout).toContain(line);
    expect(explain.status).toBe(0);
    expect(explain.stdout).toContain('--mask-size');
  });

  it('--version prints the version of packages/cli/package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    const r = maskgrad('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('auto asks Dawn in a child process: nothing of Dawn\'s own stderr reaches the user unless --backend webgpu loads it here', () => {
    // with SwiftShader's driver named (a software adapter: auto passes it by) and without (Dawn refuses lavapipe, if installed)
    for (const extra of [{}, { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' }]) {
      const env = { ...process.env, NO_COLOR: '1', ...extra };
      const r = spawnSync(process.execPath, [BIN, 'classify', IMG0, '--model', MODEL], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(0);
      expect(r.stderr).not.toMatch(/XDG_RUNTIME_DIR|Vulkan|Dawn|BackendType/);
    }
  });

  it('info lists every backend with a reason, and the one auto selects', () => {
    const human = maskgrad('info');
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^\s+webasm\s+(yes|no)\s+\S/m);
    expect(human.stdout).toMatch(/^\s+cpu\s+yes\s+\S/m);
    expect(human.stdout).toMatch(/^\s+webgpu\s+(yes|no)\s+\S/m);
    const json = JSON.parse(maskgrad('info', '--json').stdout) as { backends: { name: string; available: boolean; reason: string }[]; auto: string };
    const names = json.backends.map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['webgpu', 'webasm', 'cpu']));
    expect(json.backends.find((b) => b.name === 'webgpu')!.reason.length).toBeGreaterThan(10);
    expect(json.backends.find((b) => b.name === json.auto)!.available).toBe(true);
    const model = (JSON.parse(maskgrad('info', '--json').stdout) as { defaultModel: { path: string; present: boolean; labels: string[] } }).defaultModel;
    expect(model.path).toBe(join(ROOT, 'packages/models/assets/shapes-vit'));
    expect(model.present).toBe(true);
    expect(model.labels).toEqual(['disc', 'square', 'triangle', 'cross', 'ring']);
    expect(human.stdout).toContain(`default model: ${model.path}`);
  });
});

describe('maskgrad classify', () => {
  it('--json gives the top classes of each image, most probable first', () => {
    const r = maskgrad('classify', IMG0, IMG2, '--model', MODEL, '--top', '4', '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { model: string; backend: string; results: { image: string; top: { index: number; label: string; probability: number }[] }[] };
    expect(doc.model).toBe(MODEL);
    expect(['webasm', 'cpu', 'headlessgl']).toContain(doc.backend);
    expect(doc.results.map((x) => x.image)).toEqual([IMG0, IMG2]);
    expect(doc.results.map((x) => x.top[0].label)).toEqual(['disc', 'cross']);
    for (const { top } of doc.results) {
      expect(top).toHaveLength(4);
      expect(top.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 4);
      expect(top[0].probability).toBeGreaterThan(0.9);
    }
  });

  it('prints a table per image', () => {
    const r = maskgrad('classify', IMG0, IMG2, '--model', MODEL, '--top', '2');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(IMG0);
    expect(r.stdout).toMatch(/^\s+1\s+0\s+disc\s+0\.9\d{3}$/m);
    expect(r.stdout).toMatch(/^\s+1\s+3\s+cross\s+0\.9\d{3}$/m);
  });
});

describe('maskgrad explain', () => {
  it('one image: all seven files directly in --out, a valid result.json, progress on stderr (asked for: not a terminal)', () => {
    const out = join(tmp, 'one');
    const r = maskgradWithProgress('explain', IMG0, '--model', MODEL, '--out', out, '--iterations', '3', '--areas', '0.1,0.3');
    expect(r.status).toBe(0);
    // the answer on stdout, progress on stderr; one mask per area: two probabilities per progress line
    expect(r.stdout).toMatch(new RegExp(String.raw`^${IMG0}: 'disc' \(class 0\) probability 0\.9\d{3} before, \d\.\d{4} with only the region of area 0\.[13] kept \(every area: 0\.1: \d\.\d{3}, 0\.3: \d\.\d{3}\) \(extremal perturbation, ${DEFAULTS.extremal.game} game`));
    expect(r.stdout).toContain(`wrote ${out}/`);
    expect(r.stderr).toMatch(/iteration 3\/3 +loss -?\d+\.\d+ +p \d\.\d{3} \d\.\d{3} +elapsed/);
    expect(r.stderr).not.toContain('wrote');
    expect(readdirSync(out).sort()).toEqual(ALL);
    expect(readFileSync(join(out, 'mask.png')).subarray(1, 4).toString()).toBe('PNG');
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result).toMatchObject({ source: IMG0, method: 'extremal', target: 0, label: 'disc', mask: { width: 32, height: 32 } });
    expect(result.mask.values).toHaveLength(32 * 32);
    expect(result.mask.values.every((v: number) => v >= 0 && v <= 1)).toBe(true);
    expect(result.areas.map((a: { area: number }) => a.area)).toEqual([0.1, 0.3]);
    expect([0.1, 0.3]).toContain(result.area);
    const chosen = result.areas.find((a: { area: number }) => a.area === result.area);
    expect(result.probabilityAfter).toBe(chosen.probabilityKept);
    expect(result.history).toHaveLength(3);
    expect(result.options).toMatchObject({ method: 'extremal', iterations: 3, areas: [0.1, 0.3] });
  });

  it('--method meaningful and --preset classic: the meaningful perturbation, its mask at its own size', () => {
    const out = join(tmp, 'meaningful');
    const r = maskgrad('explain', IMG0, '--model', MODEL, '--out', out, '--method', 'meaningful', '--iterations', '3', '--mask-size', '8');
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result).toMatchObject({ method: 'meaningful', mask: { width: 8, height: 8 }, options: { iterations: 3, maskSize: 8 } });
    expect(result).not.toHaveProperty('areas');
    const classic = join(tmp, 'classic');
    expect(maskgrad('explain', IMG0, '--model', MODEL, '--out', classic, '--preset', 'classic', '--iterations', '2').status).toBe(0);
    expect(JSON.parse(readFileSync(join(classic, 'result.json'), 'utf8')).options)
      .toMatchObject({ method: 'meaningful', game: 'deletion', maskSize: 16, blurSigma: 3, l1: 0.01, tv: 0.2, lr: 0.1, iterations: 2 });
  });

  it('no progress lines when stderr is not a terminal (unless MASKGRAD_PROGRESS=1)', () => {
    const r = maskgrad('explain', IMG0, '--model', MODEL, '--out', join(tmp, 'piped'), '--iterations', '2', '--areas', '0.2');
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('iteration');
    expect(r.stdout).toContain("'disc'");
  });

  it('several images: one subfolder each (clashing names numbered), explained as one batch, --json', () => {
    const other = join(tmp, 'other');
    mkdirSync(other);
    copyFileSync(IMG2, join(other, 'img0.png')); // same basename as IMG0
    const out = join(tmp, 'many');
    const r = maskgradWithProgress('explain', IMG0, IMG2, join(other, 'img0.png'), '--model', MODEL, '--out', out, '--iterations', '2', '--areas', '0.2', '--json');
    expect(r.status).toBe(0);
    // one batch: every progress line carries the probabilities of all three images
    expect(r.stderr).toMatch(/iteration 2\/2 .* p \d\.\d{3} \d\.\d{3} \d\.\d{3} /);
    const doc = JSON.parse(r.stdout) as { results: { image: string; out: string; target: number; label: string; probabilityBefore: number; probabilityAfter: number }[] };
    expect(doc.results.map((x) => x.out)).toEqual(['img0', 'img2', 'img0-2'].map((n) => join(out, n)));
    expect(doc.results.map((x) => x.label)).toEqual(['disc', 'cross', 'cross']);
    for (const x of doc.results) {
      expect(readdirSync(x.out).sort()).toEqual(ALL);
      expect(x.probabilityBefore).toBeGreaterThan(0.9);
      expect(x.probabilityAfter).toBeGreaterThanOrEqual(0);
    }
  });

  it('--no-plot --quiet --target: result.json only, no progress, the requested class', () => {
    const out = join(tmp, 'quiet');
    const r = maskgrad('explain', IMG0, '--model', MODEL, '--out', out, '--iterations', '1', '--areas', '0.2', '--no-plot', '--quiet', '--target', 'square');
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('iteration');
    expect(readdirSync(out)).toEqual(['result.json']);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toMatchObject({ target: 1, label: 'square' });
  });
});

describe('without --model and --out: the built-in model, files under explained/<image name>/', () => {
  it('classify and explain just work on an image', () => {
    const c = maskgrad('classify', IMG0, '--json');
    expect(c.status).toBe(0);
    const top = (JSON.parse(c.stdout) as { results: { top: { label: string }[] }[] }).results[0].top[0].label;
    expect(['disc', 'square', 'triangle', 'cross', 'ring']).toContain(top);
    const cwd = join(tmp, 'cwd');
    mkdirSync(cwd);
    const e = maskgradIn(cwd, 'explain', IMG0, '--iterations', '2', '--areas', '0.2', '--quiet');
    expect(e.status, e.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'explained', 'img0')).sort()).toEqual(ALL);
    const result = JSON.parse(readFileSync(join(cwd, 'explained', 'img0', 'result.json'), 'utf8')) as { label: string };
    expect(result.label).toBe(top);
  });
});

describe('maskgrad eval', () => {
  it('scores each method on generated shapes and writes results.md and results.json', () => {
    const out = join(tmp, 'eval');
    const r = maskgrad('eval', '--images', '3', '--iterations', '2', '--methods', 'extremal,meaningful,gradient', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { methods: Record<string, { pointing: number; deletionAuc: number }>; images: unknown[] };
    expect(Object.keys(doc.methods).sort()).toEqual(['extremal', 'gradient', 'meaningful']);
    expect(doc.images).toHaveLength(3);
    for (const m of Object.values(doc.methods)) {
      expect(m.pointing).toBeGreaterThanOrEqual(0);
      expect(m.pointing).toBeLessThanOrEqual(1);
      expect(m.deletionAuc).toBeGreaterThanOrEqual(0);
      expect(m.deletionAuc).toBeLessThanOrEqual(1);
    }
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/\| meaningful perturbation \| \d\.\d{3} \|/);
    expect(md).toMatch(/\| extremal perturbation \| \d\.\d{3} \|/);
    expect(md).toMatch(/\| gradient \|( \d\.\d{3} \|){4} — \|/); // no perturbation to erase anything
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  });

  it('refuses a model that does not classify shapes, and unknown methods (exit 2)', () => {
    const wrong = maskgrad('eval', '--model', fixture('vit-tiny-hf-bf16'), '--images', '2');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/must classify them with the labels disc, square/);
    const methods = maskgrad('eval', '--methods', 'extremal,magic');
    expect(methods.status).toBe(2);
    expect(methods.stderr).toMatch(/'magic' is not a method/);
  });
});

describe('bad input exits 2, names the problem, and writes nothing', () => {
  const corrupt = () => join(tmp, 'corrupt.png');
  const out = () => join(tmp, 'bad-out');
  const explain = (...extra: string[]) => ['explain', IMG0, '--model', MODEL, '--out', out(), '--iterations', '2', ...extra];
  const cases: [string, () => string[], RegExp][] = [
    ['unknown flag', () => explain('--bogus'), /unknown option '--bogus'/],
    ['misspelt flag', () => explain('--iteratons', '3'), /--iteratons.*Did you mean --iterations\?/],
    ['unknown command', () => ['frobnicate', IMG0], /unknown command 'frobnicate'/],
    ['--iterations -1', () => explain('--iterations', '-1'), /--iterations -1 .*whole number from 1/],
    ['--iterations abc', () => explain('--iterations', 'abc'), /--iterations expects a number, found 'abc'/],
    ['--mask-size 0', () => explain('--method', 'meaningful', '--mask-size', '0'), /--mask-size 0 .*from 2 to the image side \(64\)/],
    ['a meaningful flag on the default method', () => explain('--l1', '0.1'), /--l1 belongs to the meaningful perturbation, and this explanation uses the default method, extremal: add --method meaningful/],
    ['an extremal flag with --preset classic', () => explain('--preset', 'classic', '--areas', '0.1'), /--areas belongs to the extremal perturbation, and this explanation uses --preset classic/],
    ['--areas 0,2', () => explain('--areas', '0,2'), /--areas '0,2' is not a list of areas/],
    ['--keep-share 2', () => explain('--keep-share', '2'), /--keep-share 2 is not allowed: use a number in \(0, 1\]/],
    ['--preset modern', () => explain('--preset', 'modern'), /--preset 'modern' is not one of classic/],
    ['--game dual, meaningful', () => explain('--method', 'meaningful', '--game', 'dual'), /--game 'dual' is not allowed: use 'deletion' or 'preservation' \(the dual game belongs to method 'extremal'\)/],
    ['--blur-sigma 0', () => explain('--blur-sigma', '0'), /--blur-sigma 0 .*positive/],
    ['--target giraffe', () => explain('--target', 'giraffe'), /--target 'giraffe' is not allowed: use one of this model's labels \(.*'disc'.*\) or a class index from 0 to \d+/],
    ['--game foo', () => explain('--game', 'foo'), /--game 'foo' is not one of preservation, deletion, dual/],
    ['--backend webgpu', () => explain('--backend', 'webgpu'), /--backend webgpu cannot be used/],
    ['missing image', () => ['explain', join(tmp, 'nope.png'), '--model', MODEL, '--out', out()], /nope\.png: .*no such file/],
    ['corrupt image', () => ['explain', IMG0, corrupt(), '--model', MODEL, '--out', out()], /corrupt\.png: expected/],
    ['--model pointing nowhere', () => ['explain', IMG0, '--model', join(tmp, 'no-model'), '--out', out()], /no-model: .*nothing at this path/],
    ['--config without --model', () => ['explain', IMG0, '--config', join(MODEL, 'config.json'), '--out', out()], /--config needs --model/],
    ['empty --out', () => ['explain', IMG0, '--model', MODEL, '--out', ''], /--out is empty/],
    ['classify --top 0', () => ['classify', IMG0, '--model', MODEL, '--top', '0'], /--top 0 is not allowed/],
    ['classify empty --model', () => ['classify', IMG0, '--model', ''], /--model is empty.*leave --model out to use the built-in model/],
  ];
  beforeAll(() => writeFileSync(corrupt(), randomBytes(4096)));

  it.each(cases)('%s', (_, args, message) => {
    const r = maskgrad(...args());
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^maskgrad: error: /);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(existsSync(out())).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.includes('.mg-'))).toEqual([]);
  });

  it('refuses to replace an --out folder that holds other files', () => {
    const full = join(tmp, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'notes.txt'), 'keep me');
    const r = maskgrad('explain', IMG0, '--model', MODEL, '--out', full, '--iterations', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out .*full already holds other files \('notes\.txt'\)/);
    expect(readdirSync(full)).toEqual(['notes.txt']);
  });
});

describe('maskgrad attack', () => {
  it('FGSM at 8/255 writes the adversarial PNG and checks the 8-bit round trip', () => {
    const out = join(tmp, 'adv-fgsm');
    const r = maskgrad('attack', IMG2, '--model', MODEL, '--method', 'fgsm', '--eps', '8/255', '--out', out, '--json');
    expect(r.status).toBe(0);
    const res = JSON.parse(r.stdout) as Record<string, unknown> & { clean: { label: string }; afterPngRoundTrip: { label: string }; linfDistanceAfterPngRoundTrip: number };
    expect(res.clean.label).toBe('cross');
    expect(typeof res.succeeded).toBe('boolean');
    expect(typeof res.succeededAfterPngRoundTrip).toBe('boolean');
    expect(res.eps).toBeCloseTo(8 / 255, 9);
    // rounding to 8 bits can move a pixel by at most half a level past the budget
    expect(res.linfDistanceAfterPngRoundTrip).toBeLessThanOrEqual(8 / 255 + 0.5 / 255 + 1e-6);
    expect(readdirSync(out).sort()).toEqual(['adversarial.png', 'clean.png', 'result.json']);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).afterPngRoundTrip.label).toBe(res.afterPngRoundTrip.label);
  });

  it.each([
    [['--eps', '2'], /--eps '2' is not allowed/],
    [['--eps', 'abc'], /--eps 'abc'/],
    [['--method', 'bim'], /--method 'bim' is not one of fgsm, pgd/],
    [['--steps', '0'], /--steps 0 is not allowed/],
    [['--target', 'giraffe'], /--target 'giraffe' is not allowed: use one of this model's labels/],
  ])('bad input %j exits 2 and writes nothing', (flags, message) => {
    const out = join(tmp, `adv-bad-${String(flags[1]).replace(/\W/g, '')}`);
    const r = maskgrad('attack', IMG2, '--model', MODEL, '--out', out, ...(flags as string[]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});
