/**
 * Seeded random numbers, counter-based: value i of stream `seed` is a hash
 * of (i, seed), so any backend, split or order gives the same numbers.
 *
 * The hash uses only integer arithmetic that float32 carries exactly (every
 * intermediate < 2^24): two state words modulo the primes 4093 and 4091,
 * mixed by six rounds of squaring (the non-linear step) and cross-adding.
 * Indices and seeds must be integers below 2^24. Each reduction modulo p is
 * corrected by ±p afterwards, so a division that is not correctly rounded
 * (WGSL allows 2.5 ulp) still gives the exact residue. Statistical checks
 * are in random.test.ts.
 */
import type { Backend, TensorData } from './backend.js';
import { lit } from './codegen.js';

const HASH = `
  const il = i - Math.floor(i / 4096) * 4096;
  const ih = Math.floor(i / 4096);
  const sl = seed - Math.floor(seed / 4096) * 4096;
  const sq = Math.floor(seed / 4096);
  const sh = sq - Math.floor(sq / 4096) * 4096;
  let hx = il * 1999 + sl * 1031 + 7;
  hx = hx - Math.floor(hx / 4093) * 4093;
  if (hx < 0.0) { hx = hx + 4093.0; }
  if (hx >= 4093.0) { hx = hx - 4093.0; }
  let hy = ih * 1543 + sh * 1013 + hx * 997 + 3;
  hy = hy - Math.floor(hy / 4091) * 4091;
  if (hy < 0.0) { hy = hy + 4091.0; }
  if (hy >= 4091.0) { hy = hy - 4091.0; }
  for (let rr = 0; rr < 6; rr++) {
    let sx = hx * hx;
    sx = sx - Math.floor(sx / 4093) * 4093;
    if (sx < 0.0) { sx = sx + 4093.0; }
    if (sx >= 4093.0) { sx = sx - 4093.0; }
    let mx = il * 37 + rr * 101;
    mx = mx - Math.floor(mx / 4093) * 4093;
    if (mx < 0.0) { mx = mx + 4093.0; }
    if (mx >= 4093.0) { mx = mx - 4093.0; }
    hx = sx + hy * 2011 + mx + 13;
    hx = hx - Math.floor(hx / 4093) * 4093;
    if (hx < 0.0) { hx = hx + 4093.0; }
    if (hx >= 4093.0) { hx = hx - 4093.0; }
    let sy = hy * hy;
    sy = sy - Math.floor(sy / 4091) * 4091;
    if (sy < 0.0) { sy = sy + 4091.0; }
    if (sy >= 4091.0) { sy = sy - 4091.0; }
    let my = ih * 53 + rr * 71;
    my = my - Math.floor(my / 4091) * 4091;
    if (my < 0.0) { my = my + 4091.0; }
    if (my >= 4091.0) { my = my - 4091.0; }
    hy = sy + hx * 1999 + my + 29;
    hy = hy - Math.floor(hy / 4091) * 4091;
    if (hy < 0.0) { hy = hy + 4091.0; }
    if (hy >= 4091.0) { hy = hy - 4091.0; }
  }
  const u = (hx * 4091 + hy + 0.5) / 16744463.0;`;

const mod = (a: number, p: number) => a - Math.floor(a / p) * p;

/** The hash in TypeScript: uniform in (0, 1). */
export function hashUniform(i: number, seed: number): number {
  const il = mod(i, 4096);
  const ih = Math.floor(i / 4096);
  const sl = mod(seed, 4096);
  const sh = mod(Math.floor(seed / 4096), 4096);
  let hx = mod(il * 1999 + sl * 1031 + 7, 4093);
  let hy = mod(ih * 1543 + sh * 1013 + hx * 997 + 3, 4091);
  for (let rr = 0; rr < 6; rr++) {
    hx = mod(mod(hx * hx, 4093) + hy * 2011 + mod(il * 37 + rr * 101, 4093) + 13, 4093);
    hy = mod(mod(hy * hy, 4091) + hx * 1999 + mod(ih * 53 + rr * 71, 4091) + 29, 4091);
  }
  // float32 at every step, as the kernel computes it
  return Math.fround(Math.fround(hx * 4091 + hy + 0.5) / 16744463);
}

function checkSeed(seed: number, n: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 1 << 24) throw new Error(`random seed must be an integer in [0, 2^24), got ${seed}`);
  if (n > 1 << 24) throw new Error(`at most 2^24 random values per call, asked for ${n}`);
}

export function uniformKernel(backend: Backend, n: number, seed: number, lo = 0, hi = 1): TensorData {
  checkSeed(seed, n);
  const source = `function(seed) {
  const i = this.thread.x;${HASH}
  return ${lit(lo)} + u * ${lit(hi - lo)};
}`;
  return backend.run({ name: `uniform ${n} seed ${seed}`, source, output: n, args: { seed: 'Float' } }, [seed]);
}

/**
 * Normal(mean, std) by Box–Muller from streams `seed` and `seed + 1`:
 * √(−2 ln u1)·cos(2π u2), written −cos(2π u2 − π) so the argument stays in
 * [−π, π], where WGSL bounds cos's error.
 */
export function normalKernel(backend: Backend, n: number, seed: number, mean = 0, std = 1): TensorData {
  checkSeed(seed + 1, n);
  const source = `function(seed) {
  const i = this.thread.x;
  let u1 = 0.0;
  let u2 = 0.0;
  for (let pass = 0; pass < 2; pass++) {
    const s = seed + pass;
    ${HASH.replace(/\bseed\b/g, 's').replace(/\n/g, '\n    ')}
    if (pass == 0) { u1 = u; } else { u2 = u; }
  }
  return ${lit(mean)} - ${lit(std)} * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(6.283185307 * u2 - 3.141592654);
}`;
  return backend.run({ name: `normal ${n} seed ${seed}`, source, output: n, args: { seed: 'Float' } }, [seed]);
}

export function uniformReference(n: number, seed: number, lo = 0, hi = 1): Float32Array {
  checkSeed(seed, n);
  return Float32Array.from({ length: n }, (_, i) => lo + hashUniform(i, seed) * (hi - lo));
}

export function normalReference(n: number, seed: number, mean = 0, std = 1): Float32Array {
  checkSeed(seed + 1, n);
  return Float32Array.from({ length: n }, (_, i) =>
    mean - std * Math.sqrt(-2 * Math.log(hashUniform(i, seed))) * Math.cos(2 * Math.PI * hashUniform(i, seed + 1) - Math.PI));
}
