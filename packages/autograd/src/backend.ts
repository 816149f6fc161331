/**
 * The process-wide default backend: the one new tensors live on.
 *
 * `await setBackend('auto')` probes every backend, WebGPU included (an
 * adapter request is asynchronous). Code that makes a tensor before
 * anything chose a backend gets a host backend chosen synchronously
 * (MASKGRAD_BACKEND, else webasm, else cpu): WebGPU is then skipped, with
 * that reason on record.
 */
import { selectBackend, selectHostBackend, type Backend, type BackendProbe, type Selection } from '@maskgrad/kernels';

let current: Selection | null = null;

const NOT_PROBED: BackendProbe = {
  name: 'webgpu', available: false,
  reason: "not probed: a tensor was made before any backend was chosen; call await setBackend('auto') first to use WebGPU",
};

export function getBackend(): Backend {
  if (!current) {
    const host = selectHostBackend();
    current = { ...host, skipped: [NOT_PROBED, ...host.skipped] };
  }
  return current.backend;
}

/** Use the named backend from now on ('auto': the best that works here), or a backend already made. Resolves with it. */
export async function setBackend(name: string | Backend): Promise<Backend> {
  current = typeof name === 'string' ? await selectBackend(name) : { backend: name, skipped: [], reason: 'chosen by the caller' };
  return current.backend;
}

/** Which backend ran, why, and why each better one did not (result.json, report.html, maskgrad info). */
export interface BackendReport {
  name: string;
  reason: string;
  skipped: { name: string; reason: string }[];
}

/** The report for `backend`: the selection's reasons when it is the current backend. */
export function backendReport(backend: Backend = getBackend()): BackendReport {
  getBackend();
  if (backend !== current!.backend) return { name: backend.name, reason: 'chosen by the caller', skipped: [] };
  return { name: backend.name, reason: current!.reason, skipped: current!.skipped.map(({ name, reason }) => ({ name, reason })) };
}
