/**
 * The matmul micro-kernel as a WebAssembly SIMD module (bytes emitted by
 * ./emit.ts). It computes C += Ã·B̃ for packed operands, in the layout of
 * GotoBLAS / BLIS (Goto & van de Geijn, "Anatomy of high-performance
 * matrix multiplication", 2008): Ã is cut into row panels of MR rows and B̃
 * into column panels of NR = 8 columns, each stored contiguous in k, so the
 * inner loop reads both with unit stride and immediate offsets.
 *
 *   tiles(a, b, c, rowPanels, j0, j1, kc, ldc, accumulate)
 *     for column panel j in [j0, j1), row panel i in [0, rowPanels):
 *       the MR×8 block of C at c + (i·MR)·ldc + j·32 (ldc in bytes) =
 *       (accumulate ? itself : 0) + Σ_{p<kc} Ã[i][p][0..MR) ⊗ B̃[j][p][0..8)
 *
 * The block lives in MR×2 v128 locals (f32x4 accumulators) for the whole k
 * loop: each k step loads 2 vectors of B̃, splats MR values of Ã
 * (v128.load32_splat) and does 2·MR multiply-adds. kc must be a multiple of
 * `unroll` (the packer pads k with zeros). Column panels [j0, j1) let
 * threads split the work over a shared memory.
 */
import { I32, V128, emitModule, op } from './emit.js';

export const NR = 8;

export interface GemmVariant {
  /** Rows per register tile (accumulators: 2·mr v128). */
  mr: number;
  /** k steps per loop iteration. */
  unroll: number;
  /** f32x4.relaxed_madd (one fused multiply-add where the CPU has FMA) instead of mul + add. */
  fma: boolean;
  /** Import a shared memory (for worker threads). */
  shared: boolean;
}

// parameters, then locals, by index
const [A, B, C, ROWS, J0, J1, KC, LDC, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [J, I, PA, PB, PC, KK, BPANEL] = [9, 10, 11, 12, 13, 14, 15];
const FIRST_V128 = 16;

function tilesBody(v: GemmVariant): number[][] {
  const { mr, unroll } = v;
  const acc = (r: number, h: number) => FIRST_V128 + 2 * r + h;
  const [B0, B1, AV] = [FIRST_V128 + 2 * mr, FIRST_V128 + 2 * mr + 1, FIRST_V128 + 2 * mr + 2];
  const rowAddr = (r: number) => (r === 0 ? op.get(PC) : [...op.get(PC), ...op.get(LDC), ...op.i32(r), ...op.i32Mul(), ...op.i32Add()]);
  const code: number[][] = [];
  const emit = (...xs: number[][]) => code.push(...xs);

  // the accumulators: C's block, or zero
  const loadBlock: number[][] = [];
  const zeroBlock: number[][] = [];
  const storeBlock: number[][] = [];
  for (let r = 0; r < mr; r++) {
    for (let h = 0; h < 2; h++) {
      loadBlock.push(rowAddr(r), op.v128Load(16 * h), op.set(acc(r, h)));
      zeroBlock.push(op.v128Zero(), op.set(acc(r, h)));
      storeBlock.push(rowAddr(r), op.get(acc(r, h)), op.v128Store(16 * h));
    }
  }
  // one k step u of the unrolled loop body
  const step = (u: number): number[][] => {
    const out: number[][] = [
      op.get(PB), op.v128Load(u * NR * 4), op.set(B0),
      op.get(PB), op.v128Load(u * NR * 4 + 16), op.set(B1),
    ];
    for (let r = 0; r < mr; r++) {
      out.push(op.get(PA), op.v128Load32Splat((u * mr + r) * 4), op.set(AV));
      for (let h = 0; h < 2; h++) {
        const bv = h === 0 ? B0 : B1;
        out.push(v.fma
          ? [...op.get(AV), ...op.get(bv), ...op.get(acc(r, h)), ...op.f32x4RelaxedMadd()]
          : [...op.get(acc(r, h)), ...op.get(AV), ...op.get(bv), ...op.f32x4Mul(), ...op.f32x4Add()], op.set(acc(r, h)));
      }
    }
    return out;
  };

  emit(op.get(J0), op.set(J), op.block(), op.loop());
  emit(op.get(J), op.get(J1), op.i32LtU(), op.i32Eqz(), op.brIf(1));
  emit(op.get(B), op.get(J), op.get(KC), op.i32Mul(), op.i32(NR * 4), op.i32Mul(), op.i32Add(), op.set(BPANEL));
  emit(op.i32(0), op.set(I), op.block(), op.loop());
  emit(op.get(I), op.get(ROWS), op.i32LtU(), op.i32Eqz(), op.brIf(1));
  emit(op.get(A), op.get(I), op.get(KC), op.i32Mul(), op.i32(mr * 4), op.i32Mul(), op.i32Add(), op.set(PA));
  emit(op.get(BPANEL), op.set(PB));
  emit(op.get(C), op.get(I), op.i32(mr), op.i32Mul(), op.get(LDC), op.i32Mul(), op.i32Add(),
    op.get(J), op.i32(NR * 4), op.i32Mul(), op.i32Add(), op.set(PC));
  emit(op.get(ACC), op.if(), ...loadBlock, op.else(), ...zeroBlock, op.end());
  emit(op.get(KC), op.set(KK), op.loop());
  for (let u = 0; u < unroll; u++) emit(...step(u));
  emit(op.get(PA), op.i32(unroll * mr * 4), op.i32Add(), op.set(PA));
  emit(op.get(PB), op.i32(unroll * NR * 4), op.i32Add(), op.set(PB));
  emit(op.get(KK), op.i32(unroll), op.i32Sub(), op.tee(KK), op.brIf(0), op.end());
  emit(...storeBlock);
  emit(op.get(I), op.i32(1), op.i32Add(), op.set(I), op.br(0), op.end(), op.end());
  emit(op.get(J), op.i32(1), op.i32Add(), op.set(J), op.br(0), op.end(), op.end());
  return code;
}

/** The module's bytes for one variant; `maxPages` bounds a shared memory (64 KiB pages). */
export function gemmModuleBytes(v: GemmVariant, maxPages = 65536): Uint8Array<ArrayBuffer> {
  return emitModule([{
    name: 'tiles',
    params: new Array(9).fill(I32),
    locals: [{ count: 7, type: I32 }, { count: 2 * v.mr + 3, type: V128 }],
    body: tilesBody(v),
  }], { shared: v.shared, minPages: 1, maxPages });
}

/** Whether this runtime validates the variant (SIMD; relaxed SIMD for `fma`; shared memories). */
export function gemmVariantValidates(v: GemmVariant): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(gemmModuleBytes(v));
  } catch {
    return false;
  }
}
