/**
 * End-to-end tests of `maskgrad detect` (the built binary, packages/cli/dist/index.js)
 * with the detector shipped in packages/models/assets/shapes-vit/detector.json
 * (npm run eval:adversarial -- --save). Build first: `npx turbo run build` (npm test does).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelPath, makeShapesDataset, writePngFile } from '@maskgrad/models/node';
import { fixture } from './fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/index.js');
const SHIPPED = join(defaultModelPath(), 'detector.json');

function maskgrad(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // MASKGRAD_PROGRESS=1: the progress lines a terminal would show, into the pipe
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', MASKGRAD_PROGRESS: '1' };
  delete env.MASKGRAD_DEBUG;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface DetectJson {
  model: string;
  detector: string;
  backend: string;
  threshold: number;
  calibration: { falsePositiveRate: number; measuredFalsePositiveRate: number; images: number; data: string } | null;
  explainOptions: Record<string, unknown>;
  results: { image: string; score: number; adversarial: boolean; index: number; label: string; probability: number }[];
}

let tmp: string;
let clean: string;
let adversarial: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npx turbo run build' before the CLI tests`);
  if (!existsSync(SHIPPED)) throw new Error(`${SHIPPED} is missing: run 'npm run eval:adversarial -- --save' to train the shipped detector`);
  tmp = mkdtempSync(join(tmpdir(), 'maskgrad-detect-'));
  // a test-split image of the evaluation (seed 4004, images 100–199 were not used to train the detector)
  const [sample] = makeShapesDataset(151, 4004).slice(150);
  clean = join(tmp, 'clean.png');
  writePngFile(clean, sample.image.width, sample.image.height, sample.image.data, 3);
  const attack = maskgrad('attack', clean, '--eps', '8/255', '--out', join(tmp, 'adv'), '--json');
  if (attack.status !== 0) throw new Error(`maskgrad attack failed: ${attack.stderr}`);
  adversarial = join(tmp, 'adv', 'adversarial.png');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('maskgrad detect', () => {
  it('is listed in the help, and its own help names its flags', () => {
    expect(maskgrad('--help').stdout).toMatch(/^\s+detect\s+\S/m);
    const help = maskgrad('detect', '--help');
    expect(help.status).toBe(0);
    for (const flag of ['--model', '--json', '--quiet', '--backend']) expect(help.stdout).toContain(flag);
  });

  it('--json: one document with the detector, its threshold and options, and a score and verdict per image', () => {
    const r = maskgrad('detect', clean, adversarial, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as DetectJson;
    expect(r.stderr).toMatch(/^iteration 40\/40 /m); // progress on stderr (asked for with MASKGRAD_PROGRESS=1: a line per 10%)
    const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8')) as { threshold: number; calibration: unknown; explainOptions: Record<string, unknown> };
    expect(doc.detector).toBe(SHIPPED);
    expect(doc.threshold).toBe(shipped.threshold);
    expect(doc.calibration).toEqual(shipped.calibration); // the shipped threshold is calibrated on clean images
    expect(doc.calibration?.falsePositiveRate).toBe(0.05);
    expect(doc.explainOptions).toEqual(shipped.explainOptions); // the stored options, not today's defaults
    expect(doc.results.map((x) => x.image)).toEqual([clean, adversarial]);
    for (const x of doc.results) {
      expect(x.score).toBeGreaterThanOrEqual(0);
      expect(x.score).toBeLessThanOrEqual(1);
      expect(x.adversarial).toBe(x.score >= doc.threshold);
      expect(x.probability).toBeGreaterThan(0);
    }
    const [c, a] = doc.results;
    expect(a.label).not.toBe(c.label); // the attack changed the label (checked after the PNG round trip)
    expect(a.score).toBeGreaterThan(c.score);
  });

  it('human output: the verdicts on stdout, one line per image; the detector on stderr; --quiet drops the progress', () => {
    const r = maskgrad('detect', adversarial, '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/adversarial\.png: (ADVERSARIAL|clean) \(score [01]\.\d{3}, threshold [01]\.\d{3}: 5\.0% false alarms on clean images\); the model says '\w+'/);
    expect(r.stderr).not.toMatch(/ADVERSARIAL|clean \(score/);
    expect(r.stderr).toContain(`detector ${SHIPPED}`);
    expect(r.stderr).toMatch(/threshold set for 5\.0% false alarms on \d+ clean calibration images/);
    expect(r.stderr).not.toMatch(/^iteration \d+\/\d+/m);
  });

  it('a model folder without detector.json: exit 2, and how to train one', () => {
    const r = maskgrad('detect', clean, '--model', fixture('shapes-vit-hf'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('this model has no adversarial detector');
    expect(r.stderr).toContain(`npm run eval:adversarial -- --model ${fixture('shapes-vit-hf')} --save`);
    expect(r.stdout).toBe('');
  });

  it('a damaged detector.json or a model file instead of a folder: exit 2 naming the file', () => {
    const dir = join(tmp, 'model-bad-detector');
    mkdirSync(dir);
    for (const f of ['config.json', 'preprocessor_config.json', 'model.safetensors']) copyFileSync(join(defaultModelPath(), f), join(dir, f));
    writeFileSync(join(dir, 'detector.json'), '{ "format": "maskgrad-adversarial-detector", ');
    const broken = maskgrad('detect', clean, '--model', dir);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain(join(dir, 'detector.json'));
    expect(broken.stderr).toContain('npm run eval:adversarial');
    const doc = JSON.parse(readFileSync(SHIPPED, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'detector.json'), JSON.stringify({ ...doc, weights: [1, 2] }));
    const wrong = maskgrad('detect', clean, '--model', dir);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/detector\.json: weights: expected \d+ finite numbers/);
    const file = maskgrad('detect', clean, '--model', join(dir, 'model.safetensors'));
    expect(file.status).toBe(2);
    expect(file.stderr).toContain('needs a model folder holding detector.json');
  });

  it('attack --adaptive: the detector\'s verdict on the saved PNG, explained afresh; its flags need --adaptive', () => {
    const out = join(tmp, 'adaptive');
    const r = maskgrad('attack', clean, '--adaptive', '--steps', '10', '--refresh', '5', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { steps: number; succeededAfterPngRoundTrip: boolean; linfDistance: number; adaptive: { detectorScore: number; threshold: number; detected: boolean; undetectedAndSucceeded: boolean; explanations: number } };
    expect(doc.steps).toBe(10);
    expect(doc.linfDistance).toBeLessThanOrEqual(8 / 255 + 1e-6);
    expect(doc.adaptive.explanations).toBe(3); // steps 0, 5, 10
    expect(doc.adaptive.detected).toBe(doc.adaptive.detectorScore >= doc.adaptive.threshold);
    expect(doc.adaptive.undetectedAndSucceeded).toBe(!doc.adaptive.detected && doc.succeededAfterPngRoundTrip);
    // the verdict is the one `maskgrad detect` gives on the written PNG
    const d = JSON.parse(maskgrad('detect', join(out, 'adversarial.png'), '--json').stdout) as DetectJson;
    expect(d.results[0].score).toBeCloseTo(doc.adaptive.detectorScore, 6);
    for (const bad of [['--refresh', '3'], ['--adaptive', '--method', 'fgsm'], ['--adaptive', '--target', 'disc']]) {
      const e = maskgrad('attack', clean, ...bad, '--out', join(tmp, 'nope'));
      expect(e.status).toBe(2);
      expect(e.stderr).toMatch(/--adaptive/);
      expect(existsSync(join(tmp, 'nope'))).toBe(false);
    }
  });
});
