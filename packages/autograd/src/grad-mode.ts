/**
 * Whether ops record the graph. Inside noGrad(fn) nothing is recorded:
 * results have no gradFn and gradients cannot flow through them.
 */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new Error('noGrad(fn) takes a synchronous function; await outside it');
    }
    return r;
  } finally {
    enabled = prev;
  }
}
