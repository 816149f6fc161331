/**
 * ?model=org/name[@revision] in the browser: the checkpoint's files from the Hugging Face Hub
 * (`{hub}/{org}/{name}/resolve/{revision}/{file}`; the Hub answers with CORS headers, and
 * fetch follows its 302 to the storage), kept in the Cache API ("maskgrad-hub") so that a
 * reload reads them without a request. ?hub=<url> points at another endpoint (HF_ENDPOINT's
 * role; the tests use a local stand-in).
 */
const ID = /^([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*)(?:@([\w./-]+))?$/;
const CACHE = 'maskgrad-hub';

/** `org/name[@revision]` as an id and a revision, or null for a folder URL. */
export function parseHubModel(value: string): { id: string; revision: string } | null {
  const m = ID.exec(value);
  if (!m || value.includes('..') || m[2]!.endsWith('.json') || m[2]!.endsWith('.safetensors')) return null;
  return { id: `${m[1]}/${m[2]}`, revision: m[3] ?? 'main' };
}

/** What to tell a user for a refusal from the Hub. */
function refusal(status: number, url: string, id: string, file: string): string {
  if (status === 401) return `${id}: ${file}: HTTP 401 from ${url}: no such public model (check the id; private models cannot be read from this page)`;
  if (status === 403) return `${id}: ${file}: HTTP 403 from ${url}: a gated model; this page sends no token, so use a public model or the command line with HF_TOKEN`;
  if (status === 404) return `${id}: ${file}: HTTP 404 from ${url}: no such revision or file${file === 'model.safetensors' ? ' (maskgrad reads safetensors weights only)' : ''}`;
  return `${id}: ${file}: HTTP ${status} from ${url}`;
}

/**
 * A reader of the model's files: bytes, or undefined for an optional file the model lacks.
 * Each file is looked up in the Cache API first and stored there after a download.
 */
export async function hubReader(model: { id: string; revision: string }, endpoint: string) {
  const cache = typeof caches === 'undefined' ? null : await caches.open(CACHE).catch(() => null);
  const base = `${endpoint.replace(/\/+$/, '')}/${model.id}/resolve/${encodeURIComponent(model.revision)}/`;
  return async (file: string, optional = false): Promise<Uint8Array | undefined> => {
    const url = base + file;
    const hit = await cache?.match(url);
    if (hit) return new Uint8Array(await hit.arrayBuffer());
    const res = await fetch(url);
    if (res.status === 404 && optional) return undefined;
    if (!res.ok) throw new Error(refusal(res.status, url, model.id, file));
    const bytes = new Uint8Array(await res.arrayBuffer());
    await cache?.put(url, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));
    return bytes;
  };
}
