/**
 * @maskgrad/kernels/node: what only Node can do, kept out of the
 * browser-safe core. `useMatmulThreads()` lets the webasm backend's matmul
 * split its large products across worker threads (./wasm/threads-node.ts);
 * small ones stay on the calling thread.
 */
import os from 'node:os';
import { defaultGemmVariant } from './wasm/gemm.js';
import { ThreadedTiles } from './wasm/threads-node.js';
import { setMatmulTiles } from './wasm/tiles.js';

/** One runner per thread count, kept: switching back and forth reuses its workers and compiled code. */
const runners = new Map<number, ThreadedTiles>();

/**
 * Run webasm matmuls on `threads` threads (default: every core; 1 goes back
 * to this thread alone). Returns the count in use: 1 where WebAssembly SIMD
 * or shared memory is missing. Idle workers sleep in Atomics.wait and do
 * not keep the process alive.
 */
export function useMatmulThreads(threads = os.availableParallelism()): number {
  const variant = threads > 1 ? defaultGemmVariant(true) : null;
  if (!variant) {
    setMatmulTiles(null);
    return 1;
  }
  let runner = runners.get(threads);
  if (!runner) runners.set(threads, (runner = new ThreadedTiles(variant, threads)));
  setMatmulTiles(runner);
  return threads;
}
