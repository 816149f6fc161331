/**
 * The download bar on stderr while a Hub model comes down: the file, a bar, bytes done of the
 * total. On a terminal only, one line rewritten in place; in a log or a pipe a line per file
 * when it is done, only with MASKGRAD_PROGRESS=1 (as the explain progress line).
 */
import { downloadModel, formatBytes, isHubId } from '@maskgrad/models/node';
import type { Io } from './io.js';

const WIDTH = 30;

/** A --model value as a folder: a Hub id is downloaded into the Hugging Face cache (or found there). */
export async function modelFolder(spec: string, io: Io, quiet: boolean): Promise<string> {
  if (!isHubId(spec)) return spec;
  const stream = io.stderr;
  const live = stream.isTTY === true && !quiet;
  const logged = !live && !quiet && process.env.MASKGRAD_PROGRESS === '1';
  let drawn = false;
  const onProgress = (file: string, done: number, total: number): void => {
    if (live) {
      const filled = total > 0 ? Math.round((WIDTH * done) / total) : WIDTH;
      stream.write(`\r${file} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${formatBytes(done).split(' (')[0]} / ${formatBytes(total).split(' (')[0]}\x1b[K`);
      drawn = true;
    } else if (logged && done === total) {
      stream.write(`downloaded ${spec}: ${file} (${formatBytes(total)})\n`);
    }
  };
  try {
    return await downloadModel(spec, { onProgress });
  } finally {
    if (drawn) stream.write('\n');
  }
}
