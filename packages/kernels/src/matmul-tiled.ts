/**
 * Matrix product on WebGPU with a register tile of 1 row × 4 columns per
 * invocation: thread (x, y, z) computes C[z][y][4x .. 4x+3] and returns
 * them as one Array(4) cell, so the cells laid end to end are C row-major
 * (N must be a multiple of 4; other N take matmul-scalar.ts).
 *
 * Per invocation: 8·K FLOPs (4 multiply-adds per k) for 5·K loads (A[y][k]
 * once, B[k][4x .. 4x+3]), 0.625 loads per FLOP, against 1 for one output
 * per invocation (2 loads per multiply-add). The k loop walks A's row
 * contiguously (stride 1 unless Aᵀ) and reads B's 4 columns side by side.
 *
 * Why not more: gpu.js's WGSL generator (node_modules/gpu.js/src/backend/
 * web-gpu/kernel.js, the `wgsl.push` declarations) emits only uniform,
 * storage and private variables: no `var<workgroup>` and no
 * `workgroupBarrier()`, so a kernel cannot share a tile of A or B across
 * its workgroup; and a kernel returns at most Array(4), so a register tile
 * is at most 4 outputs. A 4-output result feeds the next kernel because
 * the backend re-wraps its buffer as a flat array (webgpu-backend.ts,
 * toHandle): gpu.js itself refuses Array(n) results as arguments.
 */
import { int } from './codegen.js';
import { strides, type MatmulShape } from './matmul-shape.js';

export function matmulTiledSource(s: MatmulShape): string {
  if (s.n % 4 !== 0) throw new Error(`internal: the 1×4 tiled matmul needs N a multiple of 4, got ${s.n}`);
  const st = strides(s);
  const b = (c: number) => `b[pb + ${int(c * st.bCol)}]`;
  return [
    'function(a, b) {',
    `  let pa = this.thread.z * ${int(st.aBatch)} + this.thread.y * ${int(st.aRow)};`,
    `  let pb = this.thread.z * ${int(st.bBatch)} + this.thread.x * ${int(4 * st.bCol)};`,
    '  let s0 = 0.0; let s1 = 0.0; let s2 = 0.0; let s3 = 0.0;',
    `  for (let kk = 0; kk < ${int(s.k)}; kk++) {`,
    '    const av = a[pa];',
    ...[0, 1, 2, 3].map((c) => `    s${c} += av * ${b(c)};`),
    `    pa = pa + ${int(st.aK)};`,
    `    pb = pb + ${int(st.bK)};`,
    '  }',
    '  return [s0, s1, s2, s3];',
    '}',
  ].join('\n');
}
