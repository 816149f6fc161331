/**
 * 2-D convolution (cross-correlation, as torch.nn.functional.conv2d) on
 * NCHW input with OIHW weights, stride, zero padding and groups; and its
 * gradients with respect to the input and the weight, each gather-style
 * (one output cell per thread, no atomics).
 */
import type { Backend, TensorData } from './backend.js';
import { int } from './codegen.js';

export interface Conv2dShape {
  n: number; c: number; h: number; w: number;
  oc: number; kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  groups: number;
}

export function convOutputSize(s: Conv2dShape): { oh: number; ow: number } {
  return {
    oh: Math.floor((s.h + 2 * s.padH - s.kh) / s.strideH) + 1,
    ow: Math.floor((s.w + 2 * s.padW - s.kw) / s.strideW) + 1,
  };
}

/** "[2×4×7×6] * [6×4×3×3] stride 1×1 pad 1×1": the shapes in a kernel's name. */
function describe(s: Conv2dShape): string {
  return `[${s.n}×${s.c}×${s.h}×${s.w}] * [${s.oc}×${s.c / s.groups}×${s.kh}×${s.kw}] stride ${s.strideH}×${s.strideW} pad ${s.padH}×${s.padW}${s.groups > 1 ? ` groups ${s.groups}` : ''}`;
}

/** Split flat index `i` into named coordinates of a row-major shape (gpu.js statements). */
function unflatten(i: string, names: string[], dims: number[]): string {
  const lines: string[] = [];
  let q = i;
  for (let d = dims.length - 1; d >= 1; d--) {
    lines.push(`const q${names[d]} = Math.floor(${q} / ${int(dims[d])});`);
    lines.push(`const ${names[d]} = ${q} - q${names[d]} * ${int(dims[d])};`);
    q = `q${names[d]}`;
  }
  lines.push(`const ${names[0]} = ${q};`);
  return lines.join('\n  ');
}

export function conv2dKernel(backend: Backend, x: TensorData, weight: TensorData, s: Conv2dShape): TensorData {
  const { oh, ow } = convOutputSize(s);
  const cg = s.c / s.groups;
  const ocg = s.oc / s.groups;
  const source = `function(x, wt) {
  ${unflatten('this.thread.x', ['n', 'o', 'y', 'z'], [s.n, s.oc, oh, ow])}
  const g = Math.floor(o / ${int(ocg)});
  let acc = 0.0;
  for (let c = 0; c < ${int(cg)}; c++) {
    const xc = (n * ${int(s.c)} + g * ${int(cg)} + c) * ${int(s.h * s.w)};
    const wc = (o * ${int(cg)} + c) * ${int(s.kh * s.kw)};
    for (let ky = 0; ky < ${int(s.kh)}; ky++) {
      const iy = y * ${int(s.strideH)} - ${int(s.padH)} + ky;
      if (iy >= 0 && iy < ${int(s.h)}) {
        for (let kx = 0; kx < ${int(s.kw)}; kx++) {
          const ix = z * ${int(s.strideW)} - ${int(s.padW)} + kx;
          if (ix >= 0 && ix < ${int(s.w)}) {
            acc += x[xc + iy * ${int(s.w)} + ix] * wt[wc + ky * ${int(s.kw)} + kx];
          }
        }
      }
    }
  }
  return acc;
}`;
  return backend.run({ name: `conv2d ${describe(s)}`, source, output: s.n * s.oc * oh * ow, args: { x: 'Array', wt: 'Array' } }, [x, weight]);
}

/** dL/dx from dL/dy: each input pixel gathers the outputs whose window covers it. */
export function conv2dInputGradKernel(backend: Backend, dy: TensorData, weight: TensorData, s: Conv2dShape): TensorData {
  const { oh, ow } = convOutputSize(s);
  const cg = s.c / s.groups;
  const ocg = s.oc / s.groups;
  const ty = Math.ceil(s.kh / s.strideH);
  const tx = Math.ceil(s.kw / s.strideW);
  const source = `function(dy, wt) {
  ${unflatten('this.thread.x', ['n', 'ci', 'iy', 'ix'], [s.n, s.c, s.h, s.w])}
  const g = Math.floor(ci / ${int(cg)});
  const c = ci - g * ${int(cg)};
  const py = iy + ${int(s.padH)};
  const px = ix + ${int(s.padW)};
  const ky0 = py - Math.floor(py / ${int(s.strideH)}) * ${int(s.strideH)};
  const kx0 = px - Math.floor(px / ${int(s.strideW)}) * ${int(s.strideW)};
  let acc = 0.0;
  for (let t = 0; t < ${int(ty)}; t++) {
    const ky = ky0 + t * ${int(s.strideH)};
    const y = (py - ky) / ${int(s.strideH)};
    if (ky < ${int(s.kh)} && y >= 0 && y < ${int(oh)}) {
      for (let u = 0; u < ${int(tx)}; u++) {
        const kx = kx0 + u * ${int(s.strideW)};
        const z = (px - kx) / ${int(s.strideW)};
        if (kx < ${int(s.kw)} && z >= 0 && z < ${int(ow)}) {
          for (let oo = 0; oo < ${int(ocg)}; oo++) {
            const o = g * ${int(ocg)} + oo;
            acc += dy[((n * ${int(s.oc)} + o) * ${int(oh)} + y) * ${int(ow)} + z] * wt[((o * ${int(cg)} + c) * ${int(s.kh)} + ky) * ${int(s.kw)} + kx];
          }
        }
      }
    }
  }
  return acc;
}`;
  return backend.run({ name: `conv2dInputGrad ${describe(s)}`, source, output: s.n * s.c * s.h * s.w, args: { dy: 'Array', wt: 'Array' } }, [dy, weight]);
}

/** dL/dweight from dL/dy and the input. */
export function conv2dWeightGradKernel(backend: Backend, dy: TensorData, x: TensorData, s: Conv2dShape): TensorData {
  const { oh, ow } = convOutputSize(s);
  const cg = s.c / s.groups;
  const ocg = s.oc / s.groups;
  const source = `function(dy, x) {
  ${unflatten('this.thread.x', ['o', 'c', 'ky', 'kx'], [s.oc, cg, s.kh, s.kw])}
  const g = Math.floor(o / ${int(ocg)});
  let acc = 0.0;
  for (let n = 0; n < ${int(s.n)}; n++) {
    const xc = (n * ${int(s.c)} + g * ${int(cg)} + c) * ${int(s.h * s.w)};
    const dc = (n * ${int(s.oc)} + o) * ${int(oh * ow)};
    for (let y = 0; y < ${int(oh)}; y++) {
      const iy = y * ${int(s.strideH)} - ${int(s.padH)} + ky;
      if (iy >= 0 && iy < ${int(s.h)}) {
        for (let z = 0; z < ${int(ow)}; z++) {
          const ix = z * ${int(s.strideW)} - ${int(s.padW)} + kx;
          if (ix >= 0 && ix < ${int(s.w)}) {
            acc += dy[dc + y * ${int(ow)} + z] * x[xc + iy * ${int(s.w)} + ix];
          }
        }
      }
    }
  }
  return acc;
}`;
  return backend.run({ name: `conv2dWeightGrad ${describe(s)}`, source, output: s.oc * cg * s.kh * s.kw, args: { dy: 'Array', x: 'Array' } }, [dy, x]);
}

export function conv2dReference(x: Float32Array, weight: Float32Array, s: Conv2dShape): Float32Array {
  const { oh, ow } = convOutputSize(s);
  const cg = s.c / s.groups;
  const ocg = s.oc / s.groups;
  const out = new Float32Array(s.n * s.oc * oh * ow);
  for (let n = 0; n < s.n; n++) for (let o = 0; o < s.oc; o++) for (let y = 0; y < oh; y++) for (let z = 0; z < ow; z++) {
    const g = Math.floor(o / ocg);
    let acc = 0;
    for (let c = 0; c < cg; c++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
      const iy = y * s.strideH - s.padH + ky;
      const ix = z * s.strideW - s.padW + kx;
      if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
      acc += x[((n * s.c + g * cg + c) * s.h + iy) * s.w + ix] * weight[((o * cg + c) * s.kh + ky) * s.kw + kx];
    }
    out[((n * s.oc + o) * oh + y) * ow + z] = acc;
  }
  return out;
}

/** Reference gradients by the chain rule on the reference's loops (scatter form). */
export function conv2dGradReference(dy: Float32Array, x: Float32Array, weight: Float32Array, s: Conv2dShape): { dx: Float32Array; dw: Float32Array } {
  const { oh, ow } = convOutputSize(s);
  const cg = s.c / s.groups;
  const ocg = s.oc / s.groups;
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(weight.length);
  for (let n = 0; n < s.n; n++) for (let o = 0; o < s.oc; o++) for (let y = 0; y < oh; y++) for (let z = 0; z < ow; z++) {
    const g = Math.floor(o / ocg);
    const d = dy[((n * s.oc + o) * oh + y) * ow + z];
    for (let c = 0; c < cg; c++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
      const iy = y * s.strideH - s.padH + ky;
      const ix = z * s.strideW - s.padW + kx;
      if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
      const xi = ((n * s.c + g * cg + c) * s.h + iy) * s.w + ix;
      const wi = ((o * cg + c) * s.kh + ky) * s.kw + kx;
      dx[xi] += d * weight[wi];
      dw[wi] += d * x[xi];
    }
  }
  return { dx, dw };
}
