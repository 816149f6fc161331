/**
 * Where a command writes: its answer to `stdout`, progress and notes to `stderr`. The binary
 * passes the process's streams; tests pass recorders and run commands in-process (main.ts).
 */
export interface OutStream {
  write(text: string): unknown;
  /** A terminal: the progress line is drawn in place. */
  isTTY?: boolean;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr });
