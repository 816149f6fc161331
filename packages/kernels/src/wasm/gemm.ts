/**
 * Matmul on the WebAssembly SIMD micro-kernel (./gemm-module.ts): pack,
 * run the tiles, copy C out. Used by `matmulKernel` on the webasm backend;
 * the gpu.js kernel (../matmul.ts) stays the definition it is tested
 * against.
 *
 * Per batch entry: op(A) and op(B) are packed into the module's memory
 * (row panels of MR, column panels of 8, each contiguous in k, both
 * transposed forms read through their strides, edges padded with zeros so
 * the kernel never branches on them), k is cut into blocks of KC so a B
 * panel (KC·8 floats, 8 KiB) stays in L1 while the row panels stream past
 * it, and C is accumulated block by block in a padded [Mp, Np] array, then
 * copied out row by row. Packing and copying are O(n²) against the O(n³)
 * product.
 */
import { strides, type MatmulShape } from '../matmul-shape.js';
import { NR, gemmModuleBytes, gemmVariantValidates, type GemmVariant } from './gemm-module.js';

/** k block: B's panel of KC·NR floats (8 KiB) fits in L1 beside Ã's row panel. */
export const KC = 256;

/** The fastest variant this runtime validates: FMA where relaxed SIMD exists, else mul + add. */
export function defaultGemmVariant(shared = false): GemmVariant | null {
  // 4×8, k unrolled once: 1.3–2× the speed of unroll 2 or 4 and of a 6×8 tile (V8 spills the larger
  // ones' registers), measured interleaved with tfjs-wasm on 197×768×3072 and 197×768×768
  const fma: GemmVariant = { mr: 4, unroll: 1, fma: true, shared };
  if (gemmVariantValidates(fma)) return fma;
  const plain = { ...fma, fma: false };
  return gemmVariantValidates(plain) ? plain : null;
}

type Tiles = (a: number, b: number, c: number, rows: number, j0: number, j1: number, kc: number, ldc: number, acc: number) => void;

/** Something that runs tiles(…) over column panels [0, np): this thread alone, or split with workers. */
export interface TileRunner {
  readonly memory: WebAssembly.Memory;
  readonly variant: GemmVariant;
  /** Make the memory at least `bytes` long. */
  reserve(bytes: number): void;
  run(a: number, b: number, c: number, rows: number, np: number, kc: number, ldc: number, acc: number): void;
}

/** One instance on this thread, its memory private and grown as needed. */
export class LocalTiles implements TileRunner {
  readonly memory: WebAssembly.Memory;
  private readonly tiles: Tiles;

  constructor(readonly variant: GemmVariant, memory?: WebAssembly.Memory, module?: WebAssembly.Module) {
    this.memory = memory ?? new WebAssembly.Memory({ initial: 1 });
    const compiled = module ?? new WebAssembly.Module(gemmModuleBytes(variant));
    const instance = new WebAssembly.Instance(compiled, { env: { memory: this.memory } });
    this.tiles = instance.exports.tiles as Tiles;
  }

  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  run(a: number, b: number, c: number, rows: number, np: number, kc: number, ldc: number, acc: number): void {
    this.tiles(a, b, c, rows, 0, np, kc, ldc, acc);
  }

  /** Column panels [j0, j1) only (a thread's share). */
  runPanels(a: number, b: number, c: number, rows: number, j0: number, j1: number, kc: number, ldc: number, acc: number): void {
    this.tiles(a, b, c, rows, j0, j1, kc, ldc, acc);
  }
}

interface KBlock { k0: number; len: number; padded: number }

/** k in blocks of KC, each padded up to a multiple of the kernel's unroll. */
function kBlocks(k: number, unroll: number): KBlock[] {
  const out: KBlock[] = [];
  for (let k0 = 0; k0 < k; k0 += KC) {
    const len = Math.min(KC, k - k0);
    out.push({ k0, len, padded: Math.ceil(len / unroll) * unroll });
  }
  return out;
}

/**
 * Panels of `width` lanes along one operand's free axis (rows of op(A), or
 * columns of op(B)), block by block in k: dst[block][panel][p][lane] =
 * src[off + (k0+p)·kStride + (panel·width + lane)·laneStride], zero past
 * `count` lanes and past the block's length.
 */
function pack(src: Float32Array, off: number, kStride: number, laneStride: number, count: number, width: number,
  blocks: KBlock[], dst: Float32Array, at: number): void {
  const panels = Math.ceil(count / width);
  for (const { k0, len, padded } of blocks) {
    for (let pn = 0; pn < panels; pn++) {
      const lanes = Math.min(width, count - pn * width);
      const base = off + k0 * kStride + pn * width * laneStride;
      if (laneStride === 1 && lanes === width) {
        // contiguous lanes: a plain copy loop (subarray + set per panel row allocates, and costs as much as the product)
        for (let p = 0, sp = base; p < len; p++, sp += kStride) {
          for (let l = 0; l < width; l++) dst[at++] = src[sp + l];
        }
      } else {
        for (let l = 0; l < width; l++) {
          if (l >= lanes) {
            for (let p = 0; p < len; p++) dst[at + p * width + l] = 0;
            continue;
          }
          const s0 = base + l * laneStride;
          for (let p = 0; p < len; p++) dst[at + p * width + l] = src[s0 + p * kStride];
        }
        at += len * width;
      }
      dst.fill(0, at, at + (padded - len) * width);
      at += (padded - len) * width;
    }
  }
}

/**
 * Packed B̃ panels of operands seen more than once (a model's weights: every
 * forward reads W as Bᵀ, every input gradient reads it as B). Packing reads
 * B with a stride of a row (or of k) per step: k·n strided reads against the
 * product's m·k·n multiply-adds, a real share when A has few rows, so there
 * it is done once per array and layout and then only copied (a memcpy). An
 * array is cached on its second use, so a one-off activation costs no extra
 * memory; entries die with their array (WeakMap). A cached array must not be
 * written afterwards: maskgrad's kernels always write fresh arrays, and
 * parameters are replaced, not written in place, when they change.
 */
const packedB = new WeakMap<Float32Array, Map<string, Float32Array>>();
const seenOnce = new WeakSet<Float32Array>();

/**
 * Products with at least this many rows of A pack B afresh and cache nothing: packing is then
 * under 1/512 of the work, and the cache would hold every weight twice (ViT-B/16's default
 * explanation, 6 images · 197 tokens = 1182 rows: 0.74 GB of its peak RSS, no time saved;
 * README, Speed). One 224 px image (197 rows) and the 64 px models keep it.
 */
export const PACK_CACHE_MAX_ROWS = 512;

function packB(b: Float32Array, off: number, kStride: number, laneStride: number, n: number,
  blocks: KBlock[], mem: Float32Array, at: number, floats: number, m: number): void {
  if (m >= PACK_CACHE_MAX_ROWS) {
    pack(b, off, kStride, laneStride, n, NR, blocks, mem, at);
    return;
  }
  const key = `${off}|${kStride}|${laneStride}|${n}|${blocks.length}|${blocks[blocks.length - 1].padded}`;
  const cached = packedB.get(b)?.get(key);
  if (cached) {
    mem.set(cached, at);
    return;
  }
  pack(b, off, kStride, laneStride, n, NR, blocks, mem, at);
  if (!seenOnce.has(b)) {
    seenOnce.add(b);
    return;
  }
  const byLayout = packedB.get(b) ?? new Map<string, Float32Array>();
  byLayout.set(key, mem.slice(at, at + floats));
  packedB.set(b, byLayout);
}

/** C[b] = op(A[b])·op(B[b]) with the tiles of `runner`; same contract as matmulReference. */
export function gemm(runner: TileRunner, a: Float32Array, b: Float32Array, s: MatmulShape): Float32Array {
  const { batch, m, k, n } = s;
  const { mr, unroll } = runner.variant;
  const st = strides(s);
  const blocks = kBlocks(k, unroll);
  const kPad = blocks.reduce((t, x) => t + x.padded, 0);
  const rows = Math.ceil(m / mr);
  const np = Math.ceil(n / NR);
  const ldc = np * NR;
  const aFloats = rows * mr * kPad;
  const bFloats = np * NR * kPad;
  runner.reserve(4 * (aFloats + bFloats + rows * mr * ldc));
  const mem = new Float32Array(runner.memory.buffer);
  const [aAt, bAt, cAt] = [0, aFloats, aFloats + bFloats];
  const out = new Float32Array(batch * m * n);
  for (let bt = 0; bt < batch; bt++) {
    if (bt === 0 || !s.broadcastA) pack(a, bt * st.aBatch, st.aK, st.aRow, m, mr, blocks, mem, aAt);
    if (bt === 0 || !s.broadcastB) packB(b, bt * st.bBatch, st.bK, st.bCol, n, blocks, mem, bAt, bFloats, m);
    let aOff = aAt;
    let bOff = bAt;
    blocks.forEach(({ padded }, i) => {
      runner.run(4 * aOff, 4 * bOff, 4 * cAt, rows, np, padded, 4 * ldc, i > 0 ? 1 : 0);
      aOff += rows * mr * padded;
      bOff += np * NR * padded;
    });
    if (ldc === n) out.set(mem.subarray(cAt, cAt + m * n), bt * m * n);
    else for (let r = 0; r < m; r++) out.set(mem.subarray(cAt + r * ldc, cAt + r * ldc + n), (bt * m + r) * n);
  }
  return out;
}
