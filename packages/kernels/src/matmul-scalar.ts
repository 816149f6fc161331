/**
 * Matrix product with one output cell per thread: thread (x, y, z) computes
 * C[z][y][x] = Σ_k op(A)[z][y][k] · op(B)[z][k][x]. The layout WebGPU uses
 * (its kernels return one float per cell, so a result can feed the next
 * kernel as is); x is the column, so neighbouring threads read neighbouring
 * columns of B. The k loop is unrolled by 4 with four partial sums.
 */
import { int } from './codegen.js';
import { strides, type MatmulShape } from './matmul-shape.js';

export function matmulScalarSource(s: MatmulShape): string {
  const st = strides(s);
  const unrolled = Math.floor(s.k / 4);
  const term = (u: number) => `a[pa + ${int(u * st.aK)}] * b[pb + ${int(u * st.bK)}]`;
  const lines = [
    'function(a, b) {',
    `  let pa = this.thread.z * ${int(st.aBatch)} + this.thread.y * ${int(st.aRow)};`,
    `  let pb = this.thread.z * ${int(st.bBatch)} + this.thread.x * ${int(st.bCol)};`,
    '  let s0 = 0.0; let s1 = 0.0; let s2 = 0.0; let s3 = 0.0;',
  ];
  if (unrolled > 0) {
    lines.push(`  for (let kb = 0; kb < ${int(unrolled)}; kb++) {`);
    for (let u = 0; u < 4; u++) lines.push(`    s${u} += ${term(u)};`);
    lines.push(`    pa = pa + ${int(4 * st.aK)};`, `    pb = pb + ${int(4 * st.bK)};`, '  }');
  }
  for (let u = 0; u < s.k - unrolled * 4; u++) lines.push(`  s${u} += ${term(u)};`);
  lines.push('  return (s0 + s1) + (s2 + s3);', '}');
  return lines.join('\n');
}
