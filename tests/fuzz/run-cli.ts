/**
 * Running maskgrad for the fuzz suite: in-process through the CLI's main(argv, io) with
 * recorded stdout and stderr (milliseconds per case, where a Node process takes half a second
 * on two cores), or as a real process for signals, concurrency and memory, with its peak
 * resident memory reported by a preloaded module (tests/fuzz/report-rss.mjs).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../packages/cli/src/main.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/dist/index.js');
const REPORT_RSS = join(ROOT, 'tests/fuzz/report-rss.mjs');

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** Growth of this process's peak resident memory during the run, in MiB (in-process runs). */
  peakGrowthMiB: number;
}

function recorder(): { text: string; isTTY: boolean; write(s: string): boolean } {
  const r = { text: '', isTTY: false, write(s: string) { r.text += s; return true; } };
  return r;
}

/** One command line through main(), as the binary would run it (minus process start and exit). */
export async function runInProcess(argv: readonly string[]): Promise<Outcome> {
  const [stdout, stderr] = [recorder(), recorder()];
  const before = process.resourceUsage().maxRSS;
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text, peakGrowthMiB: (process.resourceUsage().maxRSS - before) / 1024 };
}

/** The environment of a child run: no debug output, no progress, no colours. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.MASKGRAD_DEBUG;
  delete env.MASKGRAD_PROGRESS;
  return env;
}

/** A user to run a child as (spawn's uid and gid): an unprivileged one, when the suite runs as root. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** The built binary as a process, to completion; `peakMiB` is its peak resident memory. */
export function runProcess(argv: readonly string[], timeoutMs = 60_000, as?: RunAs): Outcome & { peakMiB: number } {
  const rssFile = join(tmpdir(), `maskgrad-fuzz-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, ['--import', REPORT_RSS, BIN, ...argv], {
    encoding: 'utf8', timeout: timeoutMs, env: childEnv({ MASKGRAD_FUZZ_RSS_FILE: rssFile }), ...as,
  });
  let peakMiB = NaN;
  try {
    peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // no report: the process was killed before exiting
  }
  rmSync(rssFile, { force: true });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, peakGrowthMiB: NaN, peakMiB };
}

/** The built binary as a background process (for signals and concurrent runs). */
export function startProcess(argv: readonly string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...argv], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}
