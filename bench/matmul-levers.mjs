// node bench/matmul-levers.mjs [--runs=N] [--shapes=0,3]
// Each source-level lever of the webasm matmul kernel (packages/kernels/src/matmul.ts,
// MatmulTuning) on the ViT-B/16 shapes and their backward products, against
// tfjs-backend-wasm (XNNPACK) in the same run: GFLOPS, and the ratio to tfjs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import { MATMUL_TUNING, createBackend, matmulKernel, matmulReference, maxAbsDiff, seededFloats } from '@maskgrad/kernels';
import { gflops, matmulShapes, tfjsMatmul } from './matmul-shapes.mjs';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 3);
const pick = args.find((a) => a.startsWith('--shapes='))?.split('=')[1]?.split(',').map(Number);
const shapes = matmulShapes().filter((_, i) => !pick || pick.includes(i));

async function median(fn) {
  await fn();
  const t = [];
  for (let i = 0; i < runs; i++) { const s = performance.now(); await fn(); t.push(performance.now() - s); }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const levers = [
  { name: 'lane masks, unroll 2 (before)', t: { bRead: 'lanemask', unroll: 2 } },
  { name: 'gather, unroll 1', t: { bRead: 'gather', unroll: 1 } },
  { name: 'gather, unroll 2', t: { bRead: 'gather', unroll: 2 } },
  { name: 'gather, unroll 4', t: { bRead: 'gather', unroll: 4 } },
  { name: 'gather, unroll 8', t: { bRead: 'gather', unroll: 8 } },
];

const backend = createBackend('webasm');
await tf.setBackend('wasm');
await tf.ready();
const header = ['shape', 'tfjs-wasm', ...levers.map((l) => l.name + (JSON.stringify(l.t) === JSON.stringify(MATMUL_TUNING) ? ' (default)' : ''))];
console.log(`| ${header.join(' | ')} |\n|---|${header.slice(1).map(() => '---:').join('|')}|`);
for (const { label, s } of shapes) {
  const a = seededFloats(s.m * s.k, 1), b = seededFloats(s.k * s.n, 2);
  const da = backend.upload(a), db = backend.upload(b);
  const peer = gflops(s, await median(tfjsMatmul(tf, s)));
  const cells = [];
  for (const { t } of levers) {
    const c = backend.readSync(matmulKernel(backend, da, db, s, t));
    const ref = matmulReference(a.subarray(0, s.transA ? s.k * s.m : 8 * s.k), b, { ...s, m: s.transA ? s.m : 8 });
    // spot-check 8 rows (all rows for transA) against the reference, then time
    const rows = s.transA ? s.m : 8;
    const err = maxAbsDiff(c.subarray(0, rows * s.n), ref.subarray(0, rows * s.n));
    if (!(err < 1e-3)) throw new Error(`matmul ${label} ${JSON.stringify(t)}: max |error| ${err} against the reference`);
    const g = gflops(s, await median(() => matmulKernel(backend, da, db, s, t)));
    cells.push(`${g.toFixed(2)} (${(g / peer).toFixed(2)}×)`);
  }
  console.log(`| ${label} | ${peer.toFixed(2)} | ${cells.join(' | ')} |`);
}
console.log(`\nGFLOPS (ratio to tfjs-wasm in the same run), median of ${runs}; ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
backend.destroy();
