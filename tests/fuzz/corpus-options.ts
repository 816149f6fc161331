/**
 * Fuzz corpus, the command line: every number flag of explain with every kind of bad (and some
 * extreme but valid) value, choice flags, --constant-color and --target, the other commands'
 * flags, unknown flags and commands; output folders that cannot be made or must not be
 * replaced; and runs that go non-finite while running (weights that overflow float32). The
 * expected outcome of a number comes from the documented ranges (RANGES below, for the tiny
 * model's 16 px input), not from running maskgrad.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveModel } from '@maskgrad/models/node';
import type { Case } from './case.js';
import { TINY, tinyVit, type Sandbox } from './sandbox.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const int = (x: number) => Number.isInteger(x);

/**
 * explain's number flags and what each accepts at a 16 px input (packages/perturb/src/options.ts
 * and extremal/options.ts): those of both methods, of the extremal perturbation (the default), and
 * of the meaningful perturbation (given with --method meaningful).
 */
const RANGES: Record<string, (x: number) => boolean> = {
  iterations: (x) => int(x) && x >= 1 && x <= 100_000,
  'blur-sigma': (x) => x > 0 && Math.ceil(3 * x) < 16,
  lr: (x) => x > 0 && x <= 10,
  'mask-init': (x) => x >= 0 && x <= 1,
};
const EXTREMAL_RANGES: Record<string, (x: number) => boolean> = {
  'keep-share': (x) => x > 0 && x <= 1,
  levels: (x) => int(x) && x >= 2 && x <= 64,
  'mask-step': (x) => int(x) && x >= 1 && x <= 8,
  // at most 6× the cells' spacing, 1 px by default at 16 px
  'mask-sigma': (x) => x > 0 && x <= 6,
  'area-weight': (x) => x >= 0 && x <= 1e6,
  'area-weight-growth': (x) => x >= 1 && x <= 1e6,
};
const MEANINGFUL_RANGES: Record<string, (x: number) => boolean> = {
  'mask-size': (x) => int(x) && x >= 2 && x <= 16,
  'noise-std': (x) => x > 0 && x <= 10,
  l1: (x) => x >= 0 && x <= 1e6,
  tv: (x) => x >= 0 && x <= 1e6,
  'tv-beta': (x) => x >= 1 && x <= 10,
  'mask-noise': (x) => x >= 0 && x <= 10,
  jitter: (x) => int(x) && x >= 0 && x < 8,
  seed: (x) => int(x) && x >= 0 && x < 2 ** 24,
};
const VALUES = ['abc', '', '1e309', '-1e309', 'NaN', 'Infinity', '0x10', '1,5', '-1', '0', '1.5', '1e300', '-1e300', '1e-300', '99999999999', '1e6', '10'];

export function optionCases(s: Sandbox): Case[] {
  const cases: Case[] = [];
  let n = 0;
  const out = () => join(s.outputs, `opt-${n++}`);
  const explain = (name: string, flags: string[], exit: 0 | 2, culprit?: string) => {
    const dir = out();
    cases.push({ class: 'option', name: `explain ${name}`, argv: ['explain', s.png, '--model', s.hf, '--out', dir, '--iterations', '2', ...flags], exit, culprit, out: exit === 0 ? dir : undefined });
  };
  const ranges: [Record<string, (x: number) => boolean>, string[]][] = [[RANGES, []], [EXTREMAL_RANGES, []], [MEANINGFUL_RANGES, ['--method', 'meaningful']]];
  for (const [table, method] of ranges) {
    for (const [flag, ok] of Object.entries(table)) {
      for (const value of VALUES) {
        const x = Number(value);
        const valid = NUMBER.test(value) && Number.isFinite(x) && ok(x);
        // valid values that are slow to run (100000 iterations) are left to the unit tests
        if (valid && flag === 'iterations' && x > 10) continue;
        explain(`${method.join(' ')} --${flag} '${value}'`.trim(), [...method, `--${flag}`, value], valid ? 0 : 2, valid ? undefined : `--${flag}`);
      }
    }
  }
  // a flag of the other method is refused, naming it
  explain("--l1 '0.1' (a flag of the meaningful perturbation, the extremal one runs)", ['--l1', '0.1'], 2, '--l1');
  explain("--method meaningful --areas '0.1'", ['--method', 'meaningful', '--areas', '0.1'], 2, '--areas');
  for (const areas of ['', '0', '1', '0.1,', 'a', '0.1,0.1', '-0.2', '1e309', '0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9']) explain(`--areas '${areas}'`, ['--areas', areas], 2, '--areas');
  explain("--areas '0.2,0.05'", ['--areas', '0.2,0.05'], 0);
  for (const flag of ['game', 'perturbation', 'backend', 'method', 'preset', 'reward']) {
    for (const value of ['', 'x', 'DELETION', 'blur ', '1', 'webgpu2']) explain(`--${flag} '${value}'`, [`--${flag}`, value], 2, `--${flag}`);
  }
  for (const color of ['1,2', '1,1,1,1', 'a,b,c', '-0.1,0,0', 'NaN,0,0', '1e309,0,0', '', ',,', '1.01,0,0']) {
    explain(`--constant-color '${color}'`, ['--method', 'meaningful', '--perturbation', 'constant', '--constant-color', color], 2, '--constant-color');
  }
  explain("--constant-color '0.5,0.5,0.5'", ['--method', 'meaningful', '--perturbation', 'constant', '--constant-color', '0.5,0.5,0.5'], 0);
  for (const target of ['-1', '1e309', '3', '99', 'zzz', '', 'A']) explain(`--target '${target}'`, ['--target', target], 2, '--target');
  explain("--target 'b'", ['--target', 'b'], 0);
  for (const flag of ['--bogus', '--l', '-x', '--iteration']) explain(`unknown flag ${flag}`, [flag, '3'], 2, flag);
  cases.push({ class: 'option', name: 'explain --l1 without a value', argv: ['explain', s.png, '--model', s.hf, '--out', out(), '--l1'], exit: 2, culprit: '--l1' });
  cases.push({ class: 'option', name: 'explain --quiet=yes', argv: ['explain', s.png, '--model', s.hf, '--out', out(), '--quiet=yes'], exit: 2, culprit: '--quiet' });
  cases.push({ class: 'option', name: 'explain without an image', argv: ['explain', '--model', s.hf, '--out', out()], exit: 2, culprit: 'missing image' });
  cases.push({ class: 'option', name: 'an unknown command', argv: ['explian', s.png], exit: 2, culprit: "'explian'" });
  cases.push({ class: 'option', name: '--config without --model', argv: ['classify', s.png, '--config', join(s.hf, 'config.json')], exit: 2, culprit: '--config' });

  const other = (command: string, flags: string[], culprit: string, image = s.png, model = ['--model', s.hf]) => {
    const dir = out();
    const outFlag = command === 'classify' || command === 'detect' ? [] : ['--out', dir];
    cases.push({ class: 'option', name: `${command} ${flags.join(' ')}`, argv: [command, ...(command === 'eval' ? [] : [image]), ...model, ...outFlag, ...flags], exit: 2, culprit });
  };
  for (const top of ['0', '-1', '1e309', 'abc', '1.5']) other('classify', ['--top', top], '--top');
  for (const eps of ['0', '2', '1/0', '0/0', '1e309', '8/255/3', '-1', 'abc', '']) other('attack', ['--eps', eps], '--eps');
  for (const steps of ['0', '10001', '1.5', '1e309']) other('attack', ['--steps', steps], '--steps');
  for (const size of ['0', '2', '1/0']) other('attack', ['--step-size', size], '--step-size');
  for (const seed of ['-1', '16777216', '0.5']) other('attack', ['--seed', seed], '--seed');
  other('attack', ['--method', 'bim'], '--method');
  other('attack', ['--target', 'zzz'], '--target');
  for (const images of ['0', '10001', '1e309', '-5']) other('eval', ['--images', images], '--images', '', []);
  for (const seed of ['-1', '4294967296']) other('eval', ['--seed', seed], '--seed', '', []);
  for (const iterations of ['0', '100001']) other('eval', ['--iterations', iterations], '--iterations', '', []);
  for (const methods of ['x', 'perturbation,', '']) other('eval', ['--methods', methods], '--methods', '', []);
  other('detect', ['--model', s.hf], 'detector.json', s.png, []);
  other('detect', ['--backend', 'gpu'], '--backend', s.png64, []);
  return cases;
}

export function outputCases(s: Sandbox): Case[] {
  const cases: Case[] = [];
  let n = 0;
  const explain = (name: string, out: string, exit: 0 | 2, culprit?: string, images = [s.png]) =>
    cases.push({ class: 'output', name, argv: ['explain', ...images, '--model', s.hf, '--iterations', '1', '--out', out], exit, culprit: culprit ?? (exit === 2 ? '--out' : undefined), out: exit === 0 ? out : undefined });
  const dir = () => {
    const d = join(s.outputs, `outcase-${n++}`);
    mkdirSync(d);
    return d;
  };
  explain('a 256-byte name', join(s.outputs, 'n'.repeat(256)), 2, 'limited to 255');
  explain('a 255-byte name of 2-byte characters', join(s.outputs, 'é'.repeat(128)), 2, 'limited to 255');
  explain('a 250-character name (its temporary names stay short)', join(s.outputs, 'w'.repeat(250)), 0);
  explain('a folder under /proc', '/proc/maskgrad-fuzz/out', 2);
  explain('a folder under /sys', '/sys/maskgrad-fuzz', 2);
  explain('/dev/null', '/dev/null', 2);
  explain('a path of 4200 bytes', join(s.outputs, ...Array.from({ length: 42 }, () => 'p'.repeat(99))), 2, 'too long');
  const file = join(dir(), 'file');
  writeFileSync(file, 'x');
  explain('a file', file, 2);
  explain('a folder under a file', join(file, 'deeper', 'out'), 2, 'is a file, not a folder');
  const full = dir();
  writeFileSync(join(full, 'notes.txt'), 'keep');
  explain('a folder holding other files', full, 2, "'notes.txt'");
  const nested = dir();
  mkdirSync(join(nested, 'img0'));
  writeFileSync(join(nested, 'img0', 'notes.txt'), 'keep');
  explain('several images into a folder holding a foreign subfolder', nested, 2, "'img0'", [s.png, s.jpeg]);
  const link = join(dir(), 'link');
  symlinkSync(file, link);
  explain('a link to a file', link, 2);
  explain('several images into a new folder', join(s.outputs, 'several'), 0, undefined, [s.png, s.jpeg]);
  cases.push({ class: 'output', name: 'explain --out ""', argv: ['explain', s.png, '--model', s.hf, '--out', ''], exit: 2, culprit: '--out' });
  cases.push({ class: 'output', name: 'attack --out under /proc', argv: ['attack', s.png, '--model', s.hf, '--steps', '1', '--out', '/proc/maskgrad-fuzz'], exit: 2, culprit: '--out' });
  cases.push({ class: 'output', name: 'eval --out a file', argv: ['eval', '--images', '1', '--out', file], exit: 2, culprit: '--out' });
  cases.push({ class: 'output', name: 'eval --out holding other files', argv: ['eval', '--images', '1', '--out', full], exit: 2, culprit: "'notes.txt'" });
  return cases;
}

/**
 * Runs that become non-finite while running: finite weights whose logits overflow float32. The
 * message names the image and the checkpoint's weights file (the suspect).
 */
export function runtimeCases(s: Sandbox): Case[] {
  const overflowing = join(s.inputs, 'tiny-overflowing');
  saveModel({ vit: tinyVit(TINY, 'norm'), config: TINY }, overflowing);
  const head = join(s.inputs, 'tiny-head-3e38');
  saveModel({ vit: tinyVit(TINY, 'head'), config: TINY }, head);
  const check = (dir: string) => `Check the checkpoint ${join(dir, 'model.safetensors')}.`;
  const out = (k: number) => join(s.outputs, `runtime-${k}`);
  return [
    { class: 'runtime', name: 'classify: probabilities NaN', argv: ['classify', s.png, '--model', overflowing], exit: 1, culprit: `${s.png}: a class probability is NaN` },
    { class: 'runtime', name: 'classify: the checkpoint named', argv: ['classify', s.png, '--model', overflowing], exit: 1, culprit: check(overflowing) },
    { class: 'runtime', name: 'explain: NaN before the first step', argv: ['explain', s.png, '--model', overflowing, '--out', out(0)], exit: 1, culprit: `${s.png}: a class probability of the unperturbed image is NaN` },
    { class: 'runtime', name: 'explain, two images: NaN', argv: ['explain', s.png, s.jpeg, '--model', overflowing, '--out', out(1)], exit: 1, culprit: 'is NaN' },
    { class: 'runtime', name: 'explain, every classifier.weight 3e38: the checkpoint named', argv: ['explain', s.png, '--model', head, '--out', out(3)], exit: 1, culprit: check(head) },
    { class: 'runtime', name: 'explain --method meaningful, every classifier.weight 3e38: the checkpoint named', argv: ['explain', s.png, '--model', head, '--method', 'meaningful', '--out', out(4)], exit: 1, culprit: check(head) },
    { class: 'runtime', name: 'attack: NaN on the clean image', argv: ['attack', s.png, '--model', overflowing, '--out', out(2)], exit: 1, culprit: `a class probability of the clean image ${s.png} is NaN` },
    { class: 'runtime', name: 'attack, every classifier.weight 3e38: the checkpoint named', argv: ['attack', s.png, '--model', head, '--out', out(5)], exit: 1, culprit: check(head) },
  ];
}
