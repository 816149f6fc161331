/**
 * A smooth max-pool from a coarse grid to a finer one, with a weight per
 * window entry and output pixel (TorchRay's MaskGenerator, Fong, Patrick &
 * Vedaldi, ICCV 2019, as one kernel). For x [planes, h, w] and weights
 * [(2r+1)², oh, ow], output pixel (u, v) of plane n looks at the
 * (2r+1)×(2r+1) cells around its own cell (⌊u/step⌋ − pad, ⌊v/step⌋ − pad),
 * `pad` being how many zero cells the output extends beyond the grid:
 *
 *   z_d(u, v) = weights[d, u, v] · x[n, ⌊u/step⌋ − pad + dy, ⌊v/step⌋ − pad + dx]   (0 outside the grid)
 *   y(u, v)   = Σ_d z_d · softmax_d(β·z)                              (smooth max, coldness β)
 *   ∂y/∂z_d   = s_d · (1 + β·(z_d − y)),  s_d = exp(β·z_d − L),  L = log Σ_d exp(β·z_d)
 *
 * with d = (dy + r)·(2r+1) + (dx + r). As β → ∞, y → max_d z_d. The forward
 * returns y and L (kept for the gradient); the gradient kernel gathers, for
 * each cell, the (2r+1)²·step² pixel-window pairs that read it.
 *
 * The kernels take (2r+1)² exponentials per pixel; on webasm they are the
 * inline polynomial of ./transcendental.ts (gpu.js's Math.exp there is a
 * JavaScript call per lane).
 */
import type { Backend, TensorData } from './backend.js';
import { int, lit } from './codegen.js';
import { expSource } from './transcendental.js';

export interface SmoothMaxPoolShape {
  planes: number;
  /** The coarse grid. */
  h: number; w: number;
  /** The output. */
  oh: number; ow: number;
  /** Output pixels per grid cell along each axis. */
  step: number;
  /** Window half-width in cells: (2r+1)² entries. */
  radius: number;
  /** Zero cells before the grid's first cell, along each axis (the output's margin, in cells). */
  pad: number;
  /** β of the softmax. */
  coldness: number;
}

export interface SmoothMaxPoolResult<T = TensorData> {
  /** [planes, oh, ow] */
  y: T;
  /** log Σ_d exp(β·z_d) per output pixel, for the gradient. */
  logNorm: T;
}

/**
 * Loop over the window of output pixel (u, v) of plane n, binding z_d to
 * `z<k>` for the statements body(`z<k>`); `k` keeps each loop's names apart.
 */
function windowLoop(s: SmoothMaxPoolShape, k: number, body: (z: string) => string): string {
  const d = 2 * s.radius + 1;
  return `for (let a${k} = 0; a${k} < ${int(d)}; a${k}++) {
    const i${k} = cu + a${k} - ${int(s.radius + s.pad)};
    for (let b${k} = 0; b${k} < ${int(d)}; b${k}++) {
      const j${k} = cv + b${k} - ${int(s.radius + s.pad)};
      let xv${k} = 0.0;
      if (i${k} >= 0 && i${k} < ${int(s.h)} && j${k} >= 0 && j${k} < ${int(s.w)}) { xv${k} = x[(n * ${int(s.h)} + i${k}) * ${int(s.w)} + j${k}]; }
      const z${k} = wt[((a${k} * ${int(d)} + b${k}) * ${int(s.oh)} + u) * ${int(s.ow)} + v] * xv${k};
      ${body(`z${k}`)}
    }
  }`;
}

/**
 * The max of the window (the first pass of both forward kernels) and the sums
 * Σ e^{β(z − max)} and Σ z·e^{β(z − max)} (the second).
 */
function forwardSource(s: SmoothMaxPoolShape, backend: Backend, ret: string): string {
  const beta = lit(s.coldness);
  return `function(x, wt) {
  const t = this.thread.x;
  const n = Math.floor(t / ${int(s.oh * s.ow)});
  const rem = t - n * ${int(s.oh * s.ow)};
  const u = Math.floor(rem / ${int(s.ow)});
  const v = rem - u * ${int(s.ow)};
  const cu = Math.floor(u / ${int(s.step)});
  const cv = Math.floor(v / ${int(s.step)});
  let mx = ${lit(-3.4e38)};
  ${windowLoop(s, 0, (z) => `mx = Math.max(mx, ${z});`)}
  let se = 0.0;
  let sz = 0.0;
  ${windowLoop(s, 1, (z) => `${expSource(backend.name, `${beta} * (${z} - mx)`, 'e')}
      se += e;
      sz += ${z} * e;`)}
  return ${ret};
}`;
}

/** The smooth max y and log Σ_d exp(β·z_d), one kernel each (WebGPU cannot pass a vec4 result on). */
export function smoothMaxPoolKernel(backend: Backend, x: TensorData, weights: TensorData, s: SmoothMaxPoolShape): SmoothMaxPoolResult {
  const cells = s.planes * s.oh * s.ow;
  const size = `[${s.planes}×${s.h}×${s.w}] → [${s.oh}×${s.ow}], r ${s.radius}`;
  const args = { x: 'Array', wt: 'Array' } as const;
  const y = backend.run({ name: `smooth max-pool ${size}`, source: forwardSource(s, backend, 'sz / se'), output: cells, args }, [x, weights]);
  const logNorm = backend.run({ name: `smooth max-pool log-normalizer ${size}`, source: forwardSource(s, backend, `${lit(s.coldness)} * mx + Math.log(se)`), output: cells, args }, [x, weights]);
  return { y, logNorm };
}

export function smoothMaxPoolReference(x: Float32Array, weights: Float32Array, s: SmoothMaxPoolShape): SmoothMaxPoolResult<Float32Array> {
  const cells = s.planes * s.oh * s.ow;
  const y = new Float32Array(cells);
  const logNorm = new Float32Array(cells);
  for (let p = 0; p < cells; p++) {
    const zs = windowValues(x, weights, s, p);
    const mx = Math.max(...zs);
    let se = 0, sz = 0;
    for (const z of zs) {
      const e = Math.exp(s.coldness * (z - mx));
      se += e;
      sz += z * e;
    }
    y[p] = sz / se;
    logNorm[p] = s.coldness * mx + Math.log(se);
  }
  return { y, logNorm };
}

/** z_d for output pixel p (flat over [planes, oh, ow]), and the cell each reads (−1 outside the grid). */
function windowValues(x: Float32Array, weights: Float32Array, s: SmoothMaxPoolShape, p: number, cells?: number[]): number[] {
  const d = 2 * s.radius + 1;
  const n = Math.floor(p / (s.oh * s.ow));
  const u = Math.floor((p % (s.oh * s.ow)) / s.ow);
  const v = p % s.ow;
  const zs: number[] = [];
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
    const i = Math.floor(u / s.step) + a - s.radius - s.pad;
    const j = Math.floor(v / s.step) + b - s.radius - s.pad;
    const inside = i >= 0 && i < s.h && j >= 0 && j < s.w;
    const cell = inside ? (n * s.h + i) * s.w + j : -1;
    cells?.push(cell);
    zs.push(weights[((a * d + b) * s.oh + u) * s.ow + v] * (inside ? x[cell] : 0));
  }
  return zs;
}

/** dL/dx: each cell gathers g·s_d·(1 + β(z_d − y))·weight over the pixel-window pairs that read it. */
export function smoothMaxPoolGradKernel(
  backend: Backend, dy: TensorData, x: TensorData, weights: TensorData, fwd: SmoothMaxPoolResult, s: SmoothMaxPoolShape,
): TensorData {
  const d = 2 * s.radius + 1;
  const beta = lit(s.coldness);
  const source = `function(g, x, y, lz, wt) {
  const t = this.thread.x;
  const n = Math.floor(t / ${int(s.h * s.w)});
  const rem = t - n * ${int(s.h * s.w)};
  const i = Math.floor(rem / ${int(s.w)});
  const j = rem - i * ${int(s.w)};
  const xv = x[t];
  let acc = 0.0;
  for (let a = 0; a < ${int(d)}; a++) {
    for (let su = 0; su < ${int(s.step)}; su++) {
      const u = (i - a + ${int(s.radius + s.pad)}) * ${int(s.step)} + su;
      if (u >= 0 && u < ${int(s.oh)}) {
        for (let b = 0; b < ${int(d)}; b++) {
          for (let sv = 0; sv < ${int(s.step)}; sv++) {
            const v = (j - b + ${int(s.radius + s.pad)}) * ${int(s.step)} + sv;
            if (v >= 0 && v < ${int(s.ow)}) {
              const p = (n * ${int(s.oh)} + u) * ${int(s.ow)} + v;
              const wgt = wt[((a * ${int(d)} + b) * ${int(s.oh)} + u) * ${int(s.ow)} + v];
              const z = wgt * xv;
              ${expSource(backend.name, `${beta} * z - lz[p]`, 'sd')}
              acc += g[p] * sd * (1.0 + ${beta} * (z - y[p])) * wgt;
            }
          }
        }
      }
    }
  }
  return acc;
}`;
  const args = { g: 'Array', x: 'Array', y: 'Array', lz: 'Array', wt: 'Array' } as const;
  const name = `smooth max-pool gradient [${s.planes}×${s.oh}×${s.ow}] → [${s.h}×${s.w}], r ${s.radius}`;
  return backend.run({ name, source, output: s.planes * s.h * s.w, args }, [dy, x, fwd.y, fwd.logNorm, weights]);
}

/** Reference gradient: the chain rule per output pixel, scattered to the cells it read. */
export function smoothMaxPoolGradReference(dy: Float32Array, x: Float32Array, weights: Float32Array, s: SmoothMaxPoolShape): Float32Array {
  const dx = new Float32Array(x.length);
  const { y, logNorm } = smoothMaxPoolReference(x, weights, s);
  for (let p = 0; p < dy.length; p++) {
    const cells: number[] = [];
    const zs = windowValues(x, weights, s, p, cells);
    const u = Math.floor((p % (s.oh * s.ow)) / s.ow);
    const v = p % s.ow;
    zs.forEach((z, k) => {
      if (cells[k] < 0) return;
      const sd = Math.exp(s.coldness * z - logNorm[p]);
      const wgt = weights[(k * s.oh + u) * s.ow + v];
      dx[cells[k]] += dy[p] * sd * (1 + s.coldness * (z - y[p])) * wgt;
    });
  }
  return dx;
}
