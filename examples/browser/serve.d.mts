import type { Server } from 'node:http';

export interface Serving {
  server: Server;
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:43123/ */
  url: string;
  close(): Promise<void>;
}

/** Serve examples/browser at / and tests/fixtures at /fixtures/ on host:port (0: a free port). */
export function serve(options?: { port?: number; host?: string }): Promise<Serving>;
