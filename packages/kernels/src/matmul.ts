/**
 * Batched matrix multiplication C[b] = op(A[b]) · op(B[b]), op = identity
 * or transpose, for contiguous row-major operands. A batch count of 1 on
 * either side broadcasts it over the batch.
 *
 * Two implementations. On the webasm backend, where WebAssembly SIMD
 * validates, `matmulKernel` runs a hand-written SIMD module (./wasm/:
 * packed panels, a 4×8 register tile, relaxed-SIMD FMA where the runtime
 * has it, worker threads in Node after useMatmulThreads). The gpu.js kernel
 * below is matmul's definition: it runs on every other backend (webgpu: 4
 * columns of one row per thread where N is a multiple of 4,
 * ./matmul-tiled.ts, else one output per thread, ./matmul-scalar.ts), on
 * webasm when a `tuning` is passed, and every matmul test case checks both against the reference.
 *
 * The gpu.js kernel is register-blocked for the webasm backend's f32x4 SIMD:
 * a group of 4 SIMD lanes (thread.x = 0..3) computes a 4×4 block of C; lane
 * l owns column c0 + l and returns its 4 rows as an Array(4). A is read with
 * uniform (scalar) loads that gpu.js splats; B with one lane-varying read,
 * `b[p + thread.x·stride]`, which gpu.js lowers to a 4-lane gather. Edge
 * blocks are shifted inwards (min(4z, M−4)) so nothing is read out of bounds
 * for any M, N ≥ 4. Indices are written `(p|0) + k`: gpu.js keeps every local
 * as f32, and the `|0` keeps the address arithmetic integral. A second kernel
 * lays the blocks out row-major.
 *
 * Why gpu.js's kernel caps near 7 GFLOPS (bench/matmul-levers.mjs measures
 * each lever), and so why webasm has its own module: gpu.js returns at most
 * 4 values per lane, so a 4-lane group owns at most a 4×4 tile, and each k
 * step costs 8 loads (each an f32→i32 truncation, an add and a shift in V8's
 * code) for 16 multiply-adds. The gather beats building B's vector from 4
 * splats times one-hot lane masks (V8 recomputes the masks inside the
 * loop); unrolling k by 2 or 4 is best, within the noise of each other (1
 * pays the loop's conversions every step; 8 hoists more loads and spills
 * registers). Measured: 6.9–7.3 GFLOPS against 43–44 for tfjs-wasm on
 * 197×768×3072, from 6.3 with the masks.
 */
import type { Backend, TensorData } from './backend.js';
import { int } from './codegen.js';
import { matmulScalarSource } from './matmul-scalar.js';
import { matmulTiledSource } from './matmul-tiled.js';
import { describeMatmul, strides, type MatmulShape } from './matmul-shape.js';
import { HostBackend } from './host-backend.js';
import { gemm } from './wasm/gemm.js';
import { matmulTiles } from './wasm/tiles.js';

export type { MatmulShape };

/** Source-level levers, swept by bench/matmul-levers.mjs; the defaults are the fastest measured. */
export interface MatmulTuning {
  /** B's 4-lane vector: a gather on thread.x, or 4 splats times one-hot lane masks. */
  bRead: 'gather' | 'lanemask';
  /** k steps per loop iteration. */
  unroll: number;
}

export const MATMUL_TUNING: MatmulTuning = { bRead: 'gather', unroll: 2 };

/** The blocked kernel's gpu.js source (exported for the lever benchmark). */
export function matmulBlockedSource(s: MatmulShape, tuning: MatmulTuning = MATMUL_TUNING): string {
  const { m, k, n } = s;
  const st = strides(s);
  const mb = Math.ceil(m / 4);
  // row q (0..3) of the block; with M < 4 the extra rows repeat the last one
  const rowOff = (q: number) => (m >= 4 ? q : Math.min(q, m - 1)) * st.aRow;
  const colOff = (c: number) => (n >= 4 ? c : Math.min(c, n - 1)) * st.bCol;
  const lines = ['function(a, b) {'];
  if (tuning.bRead === 'lanemask') {
    for (let c = 0; c < 4; c++) lines.push(`  const m${c} = this.thread.x === ${c} ? 1.0 : 0.0;`);
  }
  lines.push('  let s0 = 0.0; let s1 = 0.0; let s2 = 0.0; let s3 = 0.0; let bv = 0.0;');
  lines.push(`  const bi = Math.floor(this.thread.z / ${int(mb)});`);
  lines.push(`  const rz = this.thread.z - bi * ${int(mb)};`);
  const rb = m >= 4 ? `Math.min(rz * 4, ${int(m - 4)})` : '0';
  const cb = n >= 4 ? `Math.min(this.thread.y * 4, ${int(n - 4)})` : '0';
  lines.push(`  let pa = bi * ${int(st.aBatch)} + ${rb} * ${int(st.aRow)};`);
  lines.push(`  let pb = bi * ${int(st.bBatch)} + ${cb} * ${int(st.bCol)};`);
  // the lane's column: thread.x, clamped to the last column when N < 4
  const lane = n >= 4 ? 'this.thread.x' : `Math.min(this.thread.x, ${int(n - 1)})`;
  const bRead = (u: number) => (tuning.bRead === 'gather'
    ? `b[(pb|0) + ${int(u * st.bK)} + ${lane} * ${int(st.bCol)}]`
    : [0, 1, 2, 3].map((c) => `b[(pb|0) + ${int(u * st.bK + colOff(c))}] * m${c}`).join(' + '));
  const step = (u: number) => [
    `    bv = ${bRead(u)};`,
    ...[0, 1, 2, 3].map((q) => `    s${q} += a[(pa|0) + ${int(rowOff(q) + u * st.aK)}] * bv;`),
  ].join('\n');
  const unroll = tuning.unroll;
  const nb = Math.floor(k / unroll);
  if (nb > 0) {
    lines.push(`  for (let kb = 0; kb < ${int(nb)}; kb++) {`);
    for (let u = 0; u < unroll; u++) lines.push(step(u));
    lines.push(`    pa = pa + ${int(unroll * st.aK)};`, `    pb = pb + ${int(unroll * st.bK)};`, '  }');
  }
  for (let u = 0; u < k - nb * unroll; u++) lines.push(step(u).replace(/^ {2}/gm, ''));
  lines.push('  return [s0, s1, s2, s3];', '}');
  return lines.join('\n');
}

/** Blocked result [batch·Mb, Nq, 4 lanes, 4 rows] → row-major [batch, M, N]. */
function relayoutSource(s: MatmulShape): string {
  const { m, n } = s;
  const mb = Math.ceil(m / 4);
  const nq = Math.ceil(n / 4);
  const row = m >= 4
    ? `const rz = Math.min(Math.floor(i / 4), ${int(mb - 1)});\n  const q = i - Math.min(rz * 4, ${int(m - 4)});`
    : 'const rz = 0;\n  const q = i;';
  const col = n >= 4
    ? `const qj = Math.min(Math.floor(j / 4), ${int(nq - 1)});\n  const l = j - Math.min(qj * 4, ${int(n - 4)});`
    : 'const qj = 0;\n  const l = j;';
  return `function(f) {
  const g = Math.floor(this.thread.x / ${int(n)});
  const j = this.thread.x - g * ${int(n)};
  const bi = Math.floor(g / ${int(m)});
  const i = g - bi * ${int(m)};
  ${row}
  ${col}
  const z = bi * ${int(mb)} + rz;
  return f[(((z * ${int(nq)} + qj) * 4 + l) * 4 + q)|0];
}`;
}

/**
 * C = op(A)·op(B). On webasm (where SIMD validates) the hand-written
 * WebAssembly module runs (./wasm/gemm.ts); everywhere else, or when a
 * `tuning` is given, the gpu.js kernel with those levers.
 */
export function matmulKernel(backend: Backend, a: TensorData, b: TensorData, shape: MatmulShape, tuning: MatmulTuning | null = null): TensorData {
  let s = shape;
  if (s.k === 0) return backend.upload(new Float32Array(s.batch * s.m * s.n));
  // a weight shared by the batch: one matmul over all batch rows
  if (s.batch > 1 && s.broadcastB && !s.broadcastA && !s.transA) s = { ...s, m: s.batch * s.m, batch: 1, broadcastB: false };
  const name = `matmul ${describeMatmul(s)}`;
  const tiles = !tuning && backend instanceof HostBackend && backend.name === 'webasm' ? matmulTiles() : null;
  if (tiles && backend instanceof HostBackend) return backend.runNative(name, [a, b], (x, y) => gemm(tiles, x, y, s));
  tuning ??= MATMUL_TUNING;
  // WebGPU: 4 columns of one row per thread where N allows (the cells are C row-major), else one output per thread
  if (backend.name === 'webgpu') {
    if (s.n % 4 === 0) return backend.run({ name, source: matmulTiledSource(s), output: [s.n / 4, s.m, s.batch], vec4: true, args: { a: 'Array', b: 'Array' } }, [a, b]);
    return backend.run({ name, source: matmulScalarSource(s), output: [s.n, s.m, s.batch], args: { a: 'Array', b: 'Array' } }, [a, b]);
  }
  const mb = Math.ceil(s.m / 4);
  const nq = Math.ceil(s.n / 4);
  const blocked = backend.run({ name: `${name} blocked`, source: matmulBlockedSource(s, tuning), output: [4, nq, s.batch * mb], vec4: true, args: { a: 'Array', b: 'Array' } }, [a, b]);
  const c = backend.run({ name: `${name} relayout`, source: relayoutSource(s), output: s.batch * s.m * s.n, args: { f: 'Array' } }, [blocked]);
  backend.release(blocked);
  return c;
}

export function matmulReference(a: Float32Array, b: Float32Array, s: MatmulShape): Float32Array {
  const { batch, m, k, n } = s;
  const st = strides(s);
  const out = new Float32Array(batch * m * n);
  for (let bt = 0; bt < batch; bt++) {
    for (let row = 0; row < m; row++) {
      for (let col = 0; col < n; col++) {
        let acc = 0;
        for (let kk = 0; kk < k; kk++) {
          acc += a[bt * st.aBatch + row * st.aRow + kk * st.aK] * b[bt * st.bBatch + kk * st.bK + col * st.bCol];
        }
        out[(bt * m + row) * n + col] = acc;
      }
    }
  }
  return out;
}
