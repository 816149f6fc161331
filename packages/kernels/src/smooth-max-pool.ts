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
 * Every exponential here has an argument ≤ 0 and is computed by expNonPositive
 * (kernel and reference alike): Math.exp is a JavaScript import that gpu.js's
 * WebAssembly calls once per lane, six times slower than this polynomial, and
 * these kernels take (2r+1)² exponentials per pixel.
 */
import type { Backend } from './backend.js';
import { int, lit } from './codegen.js';

/**
 * e^y for y ≤ 0: (T₆(y/256))^256, T₆ the degree-6 Taylor polynomial of e^t
 * (|t| ≤ 0.3125 for y ≥ −80: truncation < 6e-8, relative error < 5e-5 after
 * the eight squarings in float32), and 0 below −80 (e^−80 < 2e-35).
 */
export function expNonPositive(y: number): number {
  if (y < -80) return 0;
  const t = Math.fround(y / 256);
  let e = 1 + t * (1 + t * (0.5 + t * (1 / 6 + t * (1 / 24 + t * (1 / 120 + t / 720)))));
  for (let k = 0; k < 8; k++) e *= e;
  return e;
}

/** expNonPositive as kernel statements: binds `name` to e^arg. */
function expSource(name: string, arg: string): string {
  return `let ${name} = 0.0;
      const ${name}t = (${arg}) * 0.00390625;
      if (${name}t >= -0.3125) {
        ${name} = 1.0 + ${name}t * (1.0 + ${name}t * (0.5 + ${name}t * (0.16666667 + ${name}t * (0.041666668 + ${name}t * (0.008333334 + ${name}t * 0.0013888889)))));
        ${name} = ${name} * ${name}; ${name} = ${name} * ${name}; ${name} = ${name} * ${name}; ${name} = ${name} * ${name};
        ${name} = ${name} * ${name}; ${name} = ${name} * ${name}; ${name} = ${name} * ${name}; ${name} = ${name} * ${name};
      }`;
}

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

export interface SmoothMaxPoolResult {
  /** [planes, oh, ow] */
  y: Float32Array;
  /** log Σ_d exp(β·z_d) per output pixel, for the gradient. */
  logNorm: Float32Array;
}

/** Loop over the window of output pixel (u, v) of plane n, binding `z` (statements in `body`). */
function windowLoop(s: SmoothMaxPoolShape, body: string): string {
  const d = 2 * s.radius + 1;
  return `for (let a = 0; a < ${int(d)}; a++) {
    const i = cu + a - ${int(s.radius + s.pad)};
    for (let b = 0; b < ${int(d)}; b++) {
      const j = cv + b - ${int(s.radius + s.pad)};
      let xv = 0.0;
      if (i >= 0 && i < ${int(s.h)} && j >= 0 && j < ${int(s.w)}) { xv = x[(n * ${int(s.h)} + i) * ${int(s.w)} + j]; }
      const z = wt[((a * ${int(d)} + b) * ${int(s.oh)} + u) * ${int(s.ow)} + v] * xv;
      ${body}
    }
  }`;
}

export function smoothMaxPoolKernel(backend: Backend, x: Float32Array, weights: Float32Array, s: SmoothMaxPoolShape): SmoothMaxPoolResult {
  const beta = lit(s.coldness);
  const source = `function(x, wt) {
  const t = this.thread.x;
  const n = Math.floor(t / ${int(s.oh * s.ow)});
  const rem = t - n * ${int(s.oh * s.ow)};
  const u = Math.floor(rem / ${int(s.ow)});
  const v = rem - u * ${int(s.ow)};
  const cu = Math.floor(u / ${int(s.step)});
  const cv = Math.floor(v / ${int(s.step)});
  // one pass (an online softmax): the running sums are rescaled whenever the maximum grows
  let mx = -3.4e38;
  let se = 0.0;
  let sz = 0.0;
  ${windowLoop(s, `if (z > mx) {
        ${expSource('scale', `${beta} * (mx - z)`)}
        se = se * scale + 1.0;
        sz = sz * scale + z;
        mx = z;
      } else {
        ${expSource('e', `${beta} * (z - mx)`)}
        se += e;
        sz += z * e;
      }`)}
  return [sz / se, ${beta} * mx + Math.log(se), 0.0, 0.0];
}`;
  const cells = s.planes * s.oh * s.ow;
  const both = backend.run({ source, output: cells, vec4: true, args: { x: 'Array', wt: 'Array' } }, [x, weights]);
  const lane = (k: number) => backend.run({ source: `function(f) { return f[this.thread.x * 4 + ${int(k)}]; }`, output: cells, args: { f: 'Array' } }, [both]);
  return { y: lane(0), logNorm: lane(1) };
}

export function smoothMaxPoolReference(x: Float32Array, weights: Float32Array, s: SmoothMaxPoolShape): SmoothMaxPoolResult {
  const cells = s.planes * s.oh * s.ow;
  const y = new Float32Array(cells);
  const logNorm = new Float32Array(cells);
  for (let p = 0; p < cells; p++) {
    const zs = windowValues(x, weights, s, p);
    const mx = Math.max(...zs);
    let se = 0, sz = 0;
    for (const z of zs) {
      const e = expNonPositive(s.coldness * (z - mx));
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
  backend: Backend, dy: Float32Array, x: Float32Array, weights: Float32Array, fwd: SmoothMaxPoolResult, s: SmoothMaxPoolShape,
): Float32Array {
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
              ${expSource('sd', `${beta} * z - lz[p]`)}
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
  return backend.run({ source, output: s.planes * s.h * s.w, args }, [dy, x, fwd.y, fwd.logNorm, weights]);
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
      const sd = expNonPositive(s.coldness * z - logNorm[p]);
      const wgt = weights[(k * s.oh + u) * s.ow + v];
      dx[cells[k]] += dy[p] * sd * (1 + s.coldness * (z - y[p])) * wgt;
    });
  }
  return dx;
}
