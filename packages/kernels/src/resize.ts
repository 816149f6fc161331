/**
 * Bilinear resize of [planes, H, W] to [planes, OH, OW] with PyTorch's
 * align_corners=false semantics (F.interpolate(mode='bilinear')):
 *   src = (dst + 0.5) · in/out − 0.5, clamped below at 0;
 *   i0 = floor(src), i1 = min(i0 + 1, in − 1), λ = src − i0.
 * The per-row and per-column taps are computed once on the host as small
 * tables, packed into one array (WebGPU binds at most 7 arrays per kernel);
 * the kernels only gather.
 */
import type { Backend, TensorData } from './backend.js';
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

/** Tables laid end to end in one array, and the source expression that reads entry `i` of each. */
function packTables(tables: Record<string, Float32Array>): { packed: Float32Array; at: Record<string, (i: string) => string> } {
  const total = Object.values(tables).reduce((n, t) => n + t.length, 0);
  const packed = new Float32Array(total);
  const at: Record<string, (i: string) => string> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tables)) {
    packed.set(t, offset);
    const o = offset;
    at[name] = (i) => `t[${o === 0 ? '' : `${int(o)} + `}${i}]`;
    offset += t.length;
  }
  return { packed, at };
}

const sizes = (s: ResizeShape) => `[${s.planes}×${s.h}×${s.w}] → [${s.planes}×${s.oh}×${s.ow}]`;

export function resizeBilinearKernel(backend: Backend, x: TensorData, s: ResizeShape): TensorData {
  const ty = axisTaps(s.h, s.oh);
  const tx = axisTaps(s.w, s.ow);
  const { packed, at } = packTables({ y0: ty.i0, y1: ty.i1, ly: ty.lambda, x0: tx.i0, x1: tx.i1, lx: tx.lambda });
  const source = `function(x, t) {
  const i = this.thread.x;
  const p = Math.floor(i / ${int(s.oh * s.ow)});
  const rem = i - p * ${int(s.oh * s.ow)};
  const oy = Math.floor(rem / ${int(s.ow)});
  const ox = rem - oy * ${int(s.ow)};
  const base = p * ${int(s.h * s.w)};
  const r0 = base + ${at.y0('oy')} * ${int(s.w)};
  const r1 = base + ${at.y1('oy')} * ${int(s.w)};
  const c0 = ${at.x0('ox')};
  const c1 = ${at.x1('ox')};
  const a = ${at.lx('ox')};
  const b = ${at.ly('oy')};
  const top = x[r0 + c0] * (1.0 - a) + x[r0 + c1] * a;
  const bottom = x[r1 + c0] * (1.0 - a) + x[r1 + c1] * a;
  return top * (1.0 - b) + bottom * b;
}`;
  return backend.run({ name: `resizeBilinear ${sizes(s)}`, source, output: s.planes * s.oh * s.ow, args: { x: 'Array', t: 'Array' } }, [x, packed]);
}

/** dL/dx of the resize: each input pixel gathers the output pixels that read it. */
export function resizeBilinearGradKernel(backend: Backend, dy: TensorData, s: ResizeShape): TensorData {
  const ty = axisTaps(s.h, s.oh);
  const tx = axisTaps(s.w, s.ow);
  const { packed, at } = packTables({
    y0: ty.i0, y1: ty.i1, ly: ty.lambda, fy: ty.first, cy: ty.count, x0: tx.i0, x1: tx.i1, lx: tx.lambda, fx: tx.first, cx: tx.count,
  });
  const source = `function(dy, t) {
  const i = this.thread.x;
  const p = Math.floor(i / ${int(s.h * s.w)});
  const rem = i - p * ${int(s.h * s.w)};
  const iy = Math.floor(rem / ${int(s.w)});
  const ix = rem - iy * ${int(s.w)};
  const base = p * ${int(s.oh * s.ow)};
  let acc = 0.0;
  for (let tt = 0; tt < ${int(ty.maxCount)}; tt++) {
    if (tt < ${at.cy('iy')}) {
      const oy = ${at.fy('iy')} + tt;
      let wy = 0.0;
      if (${at.y0('oy')} == iy) { wy += 1.0 - ${at.ly('oy')}; }
      if (${at.y1('oy')} == iy) { wy += ${at.ly('oy')}; }
      for (let u = 0; u < ${int(tx.maxCount)}; u++) {
        if (u < ${at.cx('ix')}) {
          const ox = ${at.fx('ix')} + u;
          let wx = 0.0;
          if (${at.x0('ox')} == ix) { wx += 1.0 - ${at.lx('ox')}; }
          if (${at.x1('ox')} == ix) { wx += ${at.lx('ox')}; }
          acc += wy * wx * dy[base + oy * ${int(s.ow)} + ox];
        }
      }
    }
  }
  return acc;
}`;
  return backend.run({ name: `resizeBilinearGrad ${sizes(s)}`, source, output: s.planes * s.h * s.w, args: { dy: 'Array', t: 'Array' } }, [dy, packed]);
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
