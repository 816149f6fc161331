/**
 * Bilinear resize of [planes, H, W] to [planes, OH, OW] with PyTorch's
 * align_corners=false semantics (F.interpolate(mode='bilinear')):
 *   src = (dst + 0.5) · in/out − 0.5, clamped below at 0;
 *   i0 = floor(src), i1 = min(i0 + 1, in − 1), λ = src − i0.
 * The per-row and per-column taps are computed once on the host as small
 * tables; the kernels only gather.
 */
import type { Backend } from './backend.js';
import { int } from './codegen.js';

export interface ResizeShape {
  planes: number;
  h: number; w: number;
  oh: number; ow: number;
}

export interface AxisTaps {
  i0: Float32Array;
  i1: Float32Array;
  lambda: Float32Array;
  /** For the gradient: the first output index reading input i, and how many read it. */
  first: Float32Array;
  count: Float32Array;
  maxCount: number;
}

export function axisTaps(inSize: number, outSize: number): AxisTaps {
  const i0 = new Float32Array(outSize);
  const i1 = new Float32Array(outSize);
  const lambda = new Float32Array(outSize);
  const lo = new Array<number>(inSize).fill(Infinity);
  const hi = new Array<number>(inSize).fill(-1);
  const scale = Math.fround(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    let src = Math.fround(scale * (o + 0.5) - 0.5);
    if (src < 0) src = 0;
    const a = Math.floor(src);
    const b = a < inSize - 1 ? a + 1 : a;
    i0[o] = a;
    i1[o] = b;
    lambda[o] = src - a;
    for (const i of [a, b]) {
      lo[i] = Math.min(lo[i], o);
      hi[i] = Math.max(hi[i], o);
    }
  }
  const first = new Float32Array(inSize);
  const count = new Float32Array(inSize);
  let maxCount = 0;
  for (let i = 0; i < inSize; i++) {
    first[i] = hi[i] < 0 ? 0 : lo[i];
    count[i] = hi[i] < 0 ? 0 : hi[i] - lo[i] + 1;
    maxCount = Math.max(maxCount, count[i]);
  }
  return { i0, i1, lambda, first, count, maxCount };
}

export function resizeBilinearKernel(backend: Backend, x: Float32Array, s: ResizeShape): Float32Array {
  const ty = axisTaps(s.h, s.oh);
  const tx = axisTaps(s.w, s.ow);
  const source = `function(x, y0, y1, ly, x0, x1, lx) {
  const i = this.thread.x;
  const p = Math.floor(i / ${int(s.oh * s.ow)});
  const rem = i - p * ${int(s.oh * s.ow)};
  const oy = Math.floor(rem / ${int(s.ow)});
  const ox = rem - oy * ${int(s.ow)};
  const base = p * ${int(s.h * s.w)};
  const r0 = base + y0[oy] * ${int(s.w)};
  const r1 = base + y1[oy] * ${int(s.w)};
  const a = lx[ox];
  const b = ly[oy];
  const top = x[r0 + x0[ox]] * (1.0 - a) + x[r0 + x1[ox]] * a;
  const bottom = x[r1 + x0[ox]] * (1.0 - a) + x[r1 + x1[ox]] * a;
  return top * (1.0 - b) + bottom * b;
}`;
  const args = { x: 'Array', y0: 'Array', y1: 'Array', ly: 'Array', x0: 'Array', x1: 'Array', lx: 'Array' } as const;
  return backend.run({ source, output: s.planes * s.oh * s.ow, args }, [x, ty.i0, ty.i1, ty.lambda, tx.i0, tx.i1, tx.lambda]);
}

/** dL/dx of the resize: each input pixel gathers the output pixels that read it. */
export function resizeBilinearGradKernel(backend: Backend, dy: Float32Array, s: ResizeShape): Float32Array {
  const ty = axisTaps(s.h, s.oh);
  const tx = axisTaps(s.w, s.ow);
  const source = `function(dy, y0, y1, ly, fy, cy, x0, x1, lx, fx, cx) {
  const i = this.thread.x;
  const p = Math.floor(i / ${int(s.h * s.w)});
  const rem = i - p * ${int(s.h * s.w)};
  const iy = Math.floor(rem / ${int(s.w)});
  const ix = rem - iy * ${int(s.w)};
  const base = p * ${int(s.oh * s.ow)};
  let acc = 0.0;
  for (let t = 0; t < ${int(ty.maxCount)}; t++) {
    if (t < cy[iy]) {
      const oy = fy[iy] + t;
      let wy = 0.0;
      if (y0[oy] == iy) { wy += 1.0 - ly[oy]; }
      if (y1[oy] == iy) { wy += ly[oy]; }
      for (let u = 0; u < ${int(tx.maxCount)}; u++) {
        if (u < cx[ix]) {
          const ox = fx[ix] + u;
          let wx = 0.0;
          if (x0[ox] == ix) { wx += 1.0 - lx[ox]; }
          if (x1[ox] == ix) { wx += lx[ox]; }
          acc += wy * wx * dy[base + oy * ${int(s.ow)} + ox];
        }
      }
    }
  }
  return acc;
}`;
  const names = ['dy', 'y0', 'y1', 'ly', 'fy', 'cy', 'x0', 'x1', 'lx', 'fx', 'cx'];
  const args = Object.fromEntries(names.map((n) => [n, 'Array' as const]));
  return backend.run({ source, output: s.planes * s.h * s.w, args },
    [dy, ty.i0, ty.i1, ty.lambda, ty.first, ty.count, tx.i0, tx.i1, tx.lambda, tx.first, tx.count]);
}

export function resizeBilinearReference(x: Float32Array, s: ResizeShape): Float32Array {
  const ty = axisTaps(s.h, s.oh);
  const tx = axisTaps(s.w, s.ow);
  const out = new Float32Array(s.planes * s.oh * s.ow);
  for (let p = 0; p < s.planes; p++) for (let oy = 0; oy < s.oh; oy++) for (let ox = 0; ox < s.ow; ox++) {
    const at = (y: number, xx: number) => x[(p * s.h + y) * s.w + xx];
    const a = tx.lambda[ox];
    const b = ty.lambda[oy];
    const top = at(ty.i0[oy], tx.i0[ox]) * (1 - a) + at(ty.i0[oy], tx.i1[ox]) * a;
    const bottom = at(ty.i1[oy], tx.i0[ox]) * (1 - a) + at(ty.i1[oy], tx.i1[ox]) * a;
    out[(p * s.oh + oy) * s.ow + ox] = top * (1 - b) + bottom * b;
  }
  return out;
}

/** Reference gradient: scatter each output's four weights back (the chain rule, plainly). */
export function resizeBilinearGradReference(dy: Float32Array, s: ResizeShape): Float32Array {
  const ty = axisTaps(s.h, s.oh);
  const tx = axisTaps(s.w, s.ow);
  const dx = new Float32Array(s.planes * s.h * s.w);
  for (let p = 0; p < s.planes; p++) for (let oy = 0; oy < s.oh; oy++) for (let ox = 0; ox < s.ow; ox++) {
    const g = dy[(p * s.oh + oy) * s.ow + ox];
    const a = tx.lambda[ox];
    const b = ty.lambda[oy];
    const add = (y: number, xx: number, wgt: number) => (dx[(p * s.h + y) * s.w + xx] += g * wgt);
    add(ty.i0[oy], tx.i0[ox], (1 - b) * (1 - a));
    add(ty.i0[oy], tx.i1[ox], (1 - b) * a);
    add(ty.i1[oy], tx.i0[ox], b * (1 - a));
    add(ty.i1[oy], tx.i1[ox], b * a);
  }
  return dx;
}
