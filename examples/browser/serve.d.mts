import type { Server } from 'node:http';

export interface Serving {
  server: Server;
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:43123/ */
  url: string;
  close(): Promise<void>;
}

/**
 * Serve examples/browser at /, tests/fixtures at /fixtures/, the built-in model at /models/ and the
 * example images at /images/ on host:port (0: a free port); `roots` adds URL prefixes served from folders.
 */
export function serve(options?: { port?: number; host?: string; roots?: Record<string, string> }): Promise<Serving>;
