// Safetensors dtypes and their conversion to float32. All stored data is little-endian; we read it
// through a DataView, so neither the host's byte order nor the tensor's alignment matters.

/** The dtypes this package can read (safetensors names). */
export type SafetensorsDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8'
  | 'U64' | 'U32' | 'U16' | 'U8'
  | 'BOOL';

/** Bytes per element of each readable dtype. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = Object.freeze({
  F64: 8, F32: 4, F16: 2, BF16: 2,
  I64: 8, I32: 4, I16: 2, I8: 1,
  U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1,
});

/** Number of elements of a tensor with this shape (1 for a scalar, whose shape is `[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * IEEE 754 binary16 bits → number. Sign, 5-bit exponent (bias 15), 10-bit fraction:
 * exponent 0 is zero/subnormal (fraction · 2^-24), exponent 31 is ±Infinity (fraction 0) or NaN.
 * Every half value is exactly representable in float32, so this conversion is exact.
 */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** bfloat16 bits → number: bfloat16 is the upper half of a float32, so shift it back into place. */
export function bfloat16ToFloat(bits: number): number {
  const scratch = new DataView(new ArrayBuffer(4));
  scratch.setUint32(0, (bits & 0xffff) << 16 >>> 0);
  return scratch.getFloat32(0);
}

/** All 65536 half values as float32, built on first use (256 KiB) so F16 reads are a lookup. */
let halfTable: Float32Array | undefined;
function getHalfTable(): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = halfToFloat(bits);
  }
  return halfTable;
}

/**
 * Decodes `count` little-endian elements of `dtype` from `raw` into a new Float32Array.
 * 64-bit integers go through BigInt and round to the nearest float32, as a cast would.
 */
export function decodeToFloat32(dtype: SafetensorsDtype, raw: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F16': {
      const table = getHalfTable();
      for (let i = 0; i < count; i++) out[i] = table[view.getUint16(2 * i, true)]!;
      break;
    }
    case 'BF16': {
      // Write the bits straight into the output: float32 bits = bf16 bits << 16 (NaN payloads kept).
      // Both views of `out` use the host's byte order, so this holds on any host.
      const outBits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) outBits[i] = view.getUint16(2 * i, true) << 16 >>> 0;
      break;
    }
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      break;
    case 'U64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigUint64(8 * i, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      break;
    case 'U32':
      for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      break;
    case 'U16':
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) === 0 ? 0 : 1;
      break;
  }
  return out;
}
