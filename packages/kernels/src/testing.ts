/**
 * Test helpers (not part of the package's API). The host backends a test
 * suite runs on in Node: every one that works on this machine
 * (MASKGRAD_TEST_BACKENDS=webasm,cpu narrows it); webgpu runs in Chromium
 * (tests/webgpu.test.ts).
 */
import type { Backend } from './backend.js';
import { createHostBackend, probeHeadlessGL, probeWebAsm } from './select-backend.js';

let cached: Backend[] | null = null;

export function testBackends(): Backend[] {
  if (cached) return cached;
  const env = typeof process !== 'undefined' ? process.env.MASKGRAD_TEST_BACKENDS : undefined;
  const only = env ? env.split(',') : null;
  const names = (['headlessgl', 'webasm', 'cpu'] as const).filter((n) => {
    if (only && !only.includes(n)) return false;
    if (n === 'headlessgl') return probeHeadlessGL().available;
    if (n === 'webasm') return probeWebAsm().available;
    return true;
  });
  cached = names.map((n) => createHostBackend(n));
  return cached;
}

/** Deterministic pseudo-random floats for tests (mulberry32). */
export function seededFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
