/**
 * @maskgrad/kernels/node: what only Node can do, kept out of the
 * browser-safe core. `useMatmulThreads()` lets the webasm backend's matmul
 * split its large products across worker threads (./wasm/threads-node.ts);
 * small ones stay on the calling thread.
 */
import os from 'node:os';
import { defaultGemmVariant } from './wasm/gemm.js';
import { ThreadedTiles } from './wasm/threads-node.js';
import { matmulTiles, setMatmulTiles } from './wasm/tiles.js';

/**
 * Run webasm matmuls on `threads` threads (default: every core; 1 goes back
 * to this thread alone). Returns the count in use: 1 where WebAssembly SIMD
 * or shared memory is missing.
 */
export function useMatmulThreads(threads = os.availableParallelism()): number {
  const old = matmulTiles();
  if (old instanceof ThreadedTiles) {
    if (old.threads === threads) return threads; // keep its workers and compiled code
    old.destroy();
  }
  const variant = threads > 1 ? defaultGemmVariant(true) : null;
  setMatmulTiles(variant ? new ThreadedTiles(variant, threads) : null);
  return variant ? threads : 1;
}
