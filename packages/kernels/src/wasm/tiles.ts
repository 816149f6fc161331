/**
 * Which TileRunner the webasm matmul uses: one instance on this thread by
 * default (browser and Node alike); Node's worker threads install a runner
 * that splits the tiles across cores (../node.ts, useMatmulThreads).
 */
import { LocalTiles, defaultGemmVariant, type TileRunner } from './gemm.js';

let current: TileRunner | null | undefined;

/** The runner in use, created on first use; null where WebAssembly SIMD does not validate. */
export function matmulTiles(): TileRunner | null {
  if (current === undefined) {
    const variant = defaultGemmVariant();
    current = variant ? new LocalTiles(variant) : null;
  }
  return current;
}

/** Install a runner (threads), or go back to the single-thread default with null. */
export function setMatmulTiles(runner: TileRunner | null): void {
  current = runner ?? undefined;
}
