/**
 * Which TileRunner the webasm matmul uses: one instance on this thread by
 * default (browser and Node alike), created once so its compiled code and
 * memory are reused; Node's worker threads install a runner that splits
 * the tiles across cores (../node.ts, useMatmulThreads).
 */
import { LocalTiles, defaultGemmVariant, type TileRunner } from './gemm.js';

let single: TileRunner | null | undefined;
let installed: TileRunner | null = null;

/** The runner in use; null where WebAssembly SIMD does not validate. */
export function matmulTiles(): TileRunner | null {
  if (installed) return installed;
  if (single === undefined) {
    const variant = defaultGemmVariant();
    single = variant ? new LocalTiles(variant) : null;
  }
  return single;
}

/** Install a runner (threads), or go back to the single-thread one with null. */
export function setMatmulTiles(runner: TileRunner | null): void {
  installed = runner;
}
