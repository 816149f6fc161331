/**
 * A small WebAssembly bytecode emitter: just what the matmul module needs
 * (one imported memory, i32 and v128 locals, loops, SIMD loads, stores and
 * arithmetic). Encodings follow the WebAssembly core spec §5 (binary
 * format) and the SIMD and relaxed-SIMD proposals' opcode tables; the
 * module is assembled in TypeScript so no tool runs at build or run time.
 */

/** Unsigned LEB128 (spec §5.2.2). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128, for i32.const. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Instructions as byte arrays; `simd(op)` is the 0xfd prefix and the op's LEB128 number. */
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
/** memarg: alignment exponent, then the byte offset added to the address. */
const memarg = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];

export const op = {
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  if: () => [0x04, 0x40],
  else: () => [0x05],
  end: () => [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  i32Eqz: () => [0x45],
  i32LtU: () => [0x49],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32Mul: () => [0x6c],
  v128Load: (offset: number) => simd(0x00, ...memarg(4, offset)),
  v128Load32Splat: (offset: number) => simd(0x09, ...memarg(2, offset)),
  v128Store: (offset: number) => simd(0x0b, ...memarg(4, offset)),
  v128Zero: () => simd(0x0c, ...new Array(16).fill(0)),
  f32x4Add: () => simd(0xe4),
  f32x4Mul: () => simd(0xe6),
  /** relaxed-SIMD: a·b + c with or without an intermediate rounding (FMA where the CPU has it). */
  f32x4RelaxedMadd: () => simd(0x105),
};

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => { const b = [...new TextEncoder().encode(s)]; return [...uleb(b.length), ...b]; };

export interface WasmFunction {
  /** Exported under this name. */
  name: string;
  params: number[];
  /** Extra locals by type, after the parameters. */
  locals: { count: number; type: number }[];
  body: number[][];
}

/**
 * A module importing `env.memory` (shared when asked: threads need a
 * maximum and the shared flag, spec §5.3.7 limits) and exporting each
 * function; every function returns nothing.
 */
export function emitModule(functions: WasmFunction[], memory: { shared: boolean; minPages: number; maxPages: number }): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]);
  const limits = memory.shared ? [0x03, ...uleb(memory.minPages), ...uleb(memory.maxPages)] : [0x00, ...uleb(memory.minPages)];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exports = vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const code = vec(functions.map((f) => {
    const body = [...vec(f.locals.map((l) => [...uleb(l.count), l.type])), ...f.body.flat(), 0x0b];
    return [...uleb(body.length), ...body];
  }));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)), ...section(2, imports), ...section(3, funcs), ...section(7, exports), ...section(10, code),
  ]);
}
