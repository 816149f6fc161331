import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

/** A stand-in for process.stderr that records what is written. */
function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: '', write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

const event = (iteration: number, iterations: number) => ({
  iteration, iterations, loss: [0.5, 0.25], probability: [0.9, 0.8], mask: [],
});

describe('the progress line', () => {
  it('on a terminal: one line rewritten in place, with iteration, mean loss, each probability, elapsed and left', () => {
    const s = stream(true);
    const p = createProgress(s, false);
    p.onProgress(event(0, 3));
    p.onProgress(event(2, 3));
    p.finish();
    const lines = s.text.split('\r').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^iteration 3\/3 {2}loss 0\.3750 {2}p 0\.900 0\.800 {2}elapsed \d+\.\ds {2}left 0\.0s\x1b\[K\n$/);
  });

  it('silent with --quiet, and when stderr is not a terminal', () => {
    for (const [tty, quiet] of [[true, true], [false, false]] as const) {
      const s = stream(tty);
      const p = createProgress(s, quiet);
      p.onProgress(event(0, 1));
      p.finish();
      expect(s.text).toBe('');
    }
  });
});
