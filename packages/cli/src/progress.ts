/**
 * The explain progress line on stderr: iteration, mean loss, the target
 * probability of each image, elapsed time and an estimate of the time left.
 * Only on a terminal, as one line rewritten in place (\r); nothing in a log
 * or a pipe, unless MASKGRAD_PROGRESS=1 asks for it there: then a line at
 * every 10% of the iterations, so logs stay short.
 */
import type { ProgressEvent } from '@maskgrad/perturb/node';
import type { OutStream } from './io.js';

export interface Progress {
  onProgress: (p: ProgressEvent) => void;
  /** End the live line (a newline) if one was drawn. */
  finish: () => void;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** Probabilities of at most 8 images, then a count, so the line fits a terminal. */
function probabilities(p: readonly number[]): string {
  const shown = p.slice(0, 8).map((v) => v.toFixed(3)).join(' ');
  return p.length > 8 ? `${shown} (+${p.length - 8} more)` : shown;
}

export function createProgress(stream: OutStream, quiet: boolean): Progress {
  const live = stream.isTTY === true;
  if (quiet || (!live && process.env.MASKGRAD_PROGRESS !== '1')) return { onProgress: () => {}, finish: () => {} };
  const start = performance.now();
  let drawn = false;
  return {
    onProgress(p) {
      const done = p.iteration + 1;
      // non-TTY: only when done crosses a multiple of 10% (and always the last one)
      if (!live && Math.floor((done * 10) / p.iterations) === Math.floor((p.iteration * 10) / p.iterations) && done !== p.iterations) return;
      const elapsed = performance.now() - start;
      const left = (elapsed / done) * (p.iterations - done);
      const loss = p.loss.reduce((a, b) => a + b, 0) / p.loss.length;
      const line = `iteration ${done}/${p.iterations}  loss ${loss.toFixed(4)}  p ${probabilities(p.probability)}  ` +
        `elapsed ${seconds(elapsed)}  left ${seconds(left)}`;
      if (live) {
        stream.write(`\r${line}\x1b[K`);
        drawn = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
