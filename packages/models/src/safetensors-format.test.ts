import { describe, expect, it } from 'vitest';
import { parseSafetensors, safetensorsHeaderLength } from './safetensors.js';
import { build, catchCheckpointError as catchError } from './test-safetensors.js';

describe('parseSafetensors: the tensors tile the data section (huggingface/safetensors validate)', () => {
  const f32 = (begin: number, n: number) => ({ dtype: 'F32', shape: [n], data_offsets: [begin, begin + 4 * n] });
  const parse = (header: unknown, dataBytes: number) => () => parseSafetensors(build(header, new Uint8Array(dataBytes)), 'm.st');

  it('accepts tensors end to end in any header order, and zero-size tensors', () => {
    const st = parseSafetensors(build({ b: f32(8, 1), a: f32(0, 2), empty: f32(12, 0) }, new Uint8Array(12)));
    expect([...st.tensors.keys()]).toEqual(['b', 'a', 'empty']);
  });

  it('refuses two tensors on the same bytes, naming both', () => {
    const e = catchError(parse({ a: f32(0, 2), b: f32(0, 2) }, 8));
    expect(e.message).toMatch(/^m\.st: b: expected data_offsets starting at 8, where 'a' ends, found \[0, 8\], which overlaps 'a' \[0, 8\]\. The safetensors format/);
  });

  it('refuses a hole at the start, between tensors and after the last', () => {
    expect(catchError(parse({ a: f32(4, 1) }, 8)).message).toMatch(/a: expected data_offsets starting at 0, the start of the data section, found \[4, 8\], leaving bytes 0 to 4 unused \(a hole\)/);
    expect(catchError(parse({ a: f32(0, 1), b: f32(8, 1) }, 12)).message).toMatch(/b: expected data_offsets starting at 4, where 'a' ends, found \[8, 12\], leaving bytes 4 to 8 unused/);
    expect(catchError(parse({ a: f32(0, 1) }, 6)).found).toBe('2 bytes after the last tensor');
    expect(catchError(parse({}, 3)).message).toMatch(/m\.st: data section: expected the tensors to end where the file ends \(3 bytes of data\), found 3 bytes, and no tensor in the header/);
  });

  it('caps the header at 100 MB before reading it (checked from the length and the file size alone)', () => {
    const first8 = new Uint8Array(8);
    new DataView(first8.buffer).setBigUint64(0, 200_000_000n, true);
    expect(catchError(() => safetensorsHeaderLength(first8, 300_000_000, 'big.st')).message).toMatch(/^big\.st: header length: expected at most 100000000 bytes, found 200000000/);
    new DataView(first8.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(catchError(() => safetensorsHeaderLength(first8, 300_000_000, 'big.st')).found).toBe('9223372036854775808');
  });
});
