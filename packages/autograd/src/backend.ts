/**
 * The process-wide default backend. Chosen on first use by
 * @maskgrad/kernels' selectBackend (MASKGRAD_BACKEND or auto), or set
 * explicitly with setBackend.
 */
import { selectBackend, type Backend, type BackendProbe } from '@maskgrad/kernels';

let current: Backend | null = null;
let skippedReasons: BackendProbe[] = [];

export function getBackend(): Backend {
  if (!current) {
    const chosen = selectBackend();
    current = chosen.backend;
    skippedReasons = chosen.skipped;
  }
  return current;
}

/** Use the named backend from now on ('auto' re-runs selection). Returns it. */
export function setBackend(name: string): Backend {
  const chosen = selectBackend(name);
  current = chosen.backend;
  skippedReasons = chosen.skipped;
  return current;
}

/** Why better backends were skipped when the current one was selected automatically. */
export function backendSkipReasons(): readonly BackendProbe[] {
  return skippedReasons;
}
