/**
 * A tiny static server for the browser example: examples/browser at /,
 * the built-in model (packages/models/assets/) at /models/, the bundled
 * example images (examples/images/) at /images/, and the repository's test
 * fixtures (models and images) at /fixtures/.
 *
 *   node examples/browser/serve.mjs [port]      # default 8080; 0 picks a free one
 *
 * No COOP/COEP headers: gpu.js needs cross-origin isolation only for its
 * webasm worker threads, which run under the async kernel contract;
 * maskgrad runs its kernels synchronously on the page's own thread.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** URL prefix → folder (each ends with a separator). */
const ROOTS = {
  '/fixtures/': fileURLToPath(new URL('../../tests/fixtures/', import.meta.url)),
  '/models/': fileURLToPath(new URL('../../packages/models/assets/', import.meta.url)),
  '/images/': fileURLToPath(new URL('../images/', import.meta.url)),
};

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.safetensors': 'application/octet-stream',
};

/** The file a URL path names, or null when it escapes its root. */
function resolvePath(urlPath, roots) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const prefix = Object.keys(roots).find((p) => path.startsWith(p));
  const [root, rest] = prefix ? [roots[prefix], path.slice(prefix.length)] : [HERE, path.slice(1) || 'index.html'];
  const file = normalize(join(root, rest));
  return file.startsWith(root) ? file : null; // root ends with a separator
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * Start serving on host:port (port 0: a free one). Resolves once listening,
 * with the base URL and a close() that stops the server. `roots` adds
 * URL prefixes (each ending with '/') served from folders (each ending with
 * a separator); the tests serve their WebGPU page this way.
 */
export function serve({ port = 0, host = '127.0.0.1', roots = {} } = {}) {
  const allRoots = { ...ROOTS, ...roots };
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, `method ${req.method} not allowed; use GET`);
    const file = resolvePath(new URL(req.url ?? '/', 'http://localhost').pathname, allRoots);
    if (!file) return send(res, 403, 'outside the served folders');
    let stat;
    try {
      stat = statSync(file);
    } catch {
      const hint = file.endsWith(join('dist', 'main.js')) ? ' (build the example first: node examples/browser/build.mjs)' : '';
      return send(res, 404, `not found: ${req.url}${hint}`);
    }
    if (!stat.isFile()) return send(res, 404, `not a file: ${req.url}`);
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({
        server,
        url: `http://${host}:${actual}/`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done(undefined)); }),
      });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = process.argv[2] ?? '8080';
  const port = Number(arg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: port must be a whole number from 0 to 65535, got '${arg}'`);
    process.exit(2);
  }
  const { url } = await serve({ port });
  console.log(`maskgrad browser example at ${url} (Ctrl-C to stop)`);
}
