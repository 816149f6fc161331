// node bench/matmul-wasm.mjs [--rounds=N]
// The webasm matmul engines on ViT-B/16's shapes and their backward products, against
// tfjs-backend-wasm (XNNPACK): the gpu.js kernel (matmul's definition), the WebAssembly SIMD module on
// one thread, and on every core (useMatmulThreads). The four are timed in turn inside each round, so
// a shared machine's load falls on all of them alike; GFLOPS are medians over the rounds.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import { MATMUL_TUNING, createHostBackend, matmulKernel } from '@maskgrad/kernels';
import { useMatmulThreads } from '@maskgrad/kernels/node';
import { gflops, matmulShapes } from './matmul-shapes.mjs';
import { seededFloats } from './vit-configs.mjs';

const rounds = Number(process.argv.slice(2).find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 5);
const cores = os.availableParallelism();
const backend = createHostBackend('webasm');
await tf.setBackend('wasm');
await tf.ready();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => { const t = performance.now(); fn(); return performance.now() - t; };

console.log(`| shape | tfjs-wasm | gpu.js kernel | WebAssembly module, 1 thread | WebAssembly module, ${cores} threads |\n|---|---:|---:|---:|---:|`);
for (const { label, s } of matmulShapes()) {
  const a = seededFloats(s.m * s.k, 1), b = seededFloats(s.k * s.n, 2);
  const da = backend.upload(a), db = backend.upload(b);
  const ta = tf.tensor(a, s.transA ? [s.k, s.m] : [s.m, s.k]), tb = tf.tensor(b, s.transB ? [s.n, s.k] : [s.k, s.n]);
  const engines = {
    tfjs: () => { const c = tf.matMul(ta, tb, !!s.transA, !!s.transB); c.dataSync(); c.dispose(); },
    gpujs: () => matmulKernel(backend, da, db, s, MATMUL_TUNING),
    one: () => { useMatmulThreads(1); matmulKernel(backend, da, db, s); },
    all: () => { useMatmulThreads(cores); matmulKernel(backend, da, db, s); },
  };
  const ms = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
  for (const k of Object.keys(engines)) { engines[k](); engines[k](); } // compile, tier up, pack the weight once
  for (let r = 0; r < rounds; r++) for (const [k, fn] of Object.entries(engines)) ms[k].push(time(fn));
  const g = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, gflops(s, median(v))]));
  const cell = (k) => `${g[k].toFixed(2)} (${(g[k] / g.tfjs).toFixed(2)}×)`;
  console.log(`| ${label} | ${g.tfjs.toFixed(2)} | ${cell('gpujs')} | ${cell('one')} | ${cell('all')} |`);
  ta.dispose();
  tb.dispose();
}
useMatmulThreads(1);
console.log(`\nGFLOPS (ratio to tfjs-wasm), median of ${rounds} interleaved rounds; ${cores} × ${os.cpus()[0]?.model}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`);
backend.destroy();
process.exit(0);
