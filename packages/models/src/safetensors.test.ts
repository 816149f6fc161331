import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseSafetensors, writeSafetensors, elementCount, bfloat16ToFloat, halfToFloat } from './safetensors.js';
import { build, catchCheckpointError as catchError } from './test-safetensors.js';

const fixture = (rel: string): Uint8Array =>
  readFileSync(new URL(`../../../tests/fixtures/${rel}`, import.meta.url));

function u16le(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v, true));
  return out;
}

describe('parseSafetensors: rejecting broken files', () => {
  it('rejects a file shorter than the 8-byte length prefix', () => {
    const e = catchError(() => parseSafetensors(new Uint8Array(5), 'tiny.safetensors'));
    expect(e.file).toBe('tiny.safetensors');
    expect(e.message).toMatch(/^tiny\.safetensors: expected at least 8 bytes.*found a file of 5 bytes/);
  });

  it('rejects a header length past the end of the file', () => {
    const bytes = build({});
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    const e = catchError(() => parseSafetensors(bytes, 'm.safetensors'));
    expect(e.key).toBe('header length');
    expect(e.expected).toBe(`at most ${bytes.length - 8} (the bytes after the 8-byte length)`);
    expect(e.found).toBe('1000');
  });

  it('rejects a header that is not JSON, not UTF-8 or not an object', () => {
    expect(catchError(() => parseSafetensors(build('{"a": '), 'x')).message).toMatch(/x: header: expected valid JSON/);
    const notUtf8 = build('{}');
    notUtf8[8] = 0xff;
    expect(catchError(() => parseSafetensors(notUtf8, 'x')).found).toBe('bytes that are not valid UTF-8');
    expect(catchError(() => parseSafetensors(build('[1, 2]'), 'x')).found).toBe('array of 2 items');
  });

  it('rejects an unknown dtype and lists the supported ones', () => {
    const e = catchError(() =>
      parseSafetensors(build({ w: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)), 'q.st'),
    );
    expect(e.key).toBe('w');
    expect(e.found).toBe('string "F8_E4M3"');
    expect(e.message).toContain('expected dtype one of F64, F32, F16, BF16');
    expect(e.message).toContain('Convert the checkpoint');
  });

  it('rejects a byte range that does not match shape x itemsize', () => {
    const e = catchError(() =>
      parseSafetensors(build({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(24)), 'f'),
    );
    expect(e.expected).toBe('24 bytes (shape [2, 3] x 4-byte F32)');
    expect(e.found).toBe('20 bytes (data_offsets [0, 20])');
  });

  it('rejects data offsets past the end of the data section', () => {
    const e = catchError(() =>
      parseSafetensors(build({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)), 'f'),
    );
    expect(e.key).toBe('w');
    expect(e.expected).toBe('data_offsets within the 8-byte data section');
    expect(e.found).toBe('[0, 16], past the end by 8 bytes');
  });

  it('rejects malformed shapes, offsets and metadata', () => {
    const data = new Uint8Array(16);
    const bad = (entry: unknown) => catchError(() => parseSafetensors(build({ w: entry }, data), 'f'));
    expect(bad({ dtype: 'F32', shape: [-1], data_offsets: [0, 4] }).found).toBe('shape [-1]');
    expect(bad({ dtype: 'F32', shape: [1], data_offsets: [4, 0] }).found).toBe('data_offsets [4,0]');
    expect(bad({ dtype: 'F32', shape: [1] }).found).toBe('data_offsets missing');
    expect(bad('F32').found).toBe('string "F32"');
    const meta = catchError(() => parseSafetensors(build({ __metadata__: { step: 3 } }), 'f'));
    expect(meta.key).toBe('__metadata__');
    expect(meta.found).toBe("number 3 at key 'step'");
  });

  it('names the tensors it has when asked for one it does not', () => {
    const st = parseSafetensors(writeSafetensors({ a: { shape: [1], data: new Float32Array([1]) } }), 'm');
    const e = catchError(() => st.read('b'));
    expect(e.message).toBe(
      "m: b: expected the name of a tensor stored in this file, found no such tensor. It holds 1 tensors, for example 'a'; check the checkpoint layout (Hugging Face or timm).",
    );
  });
});

/** Half → float by float32 bit surgery: an implementation independent of halfToFloat's arithmetic. */
function halfBitsViaFloat32(h: number): number {
  const sign = (h & 0x8000) << 16;
  let exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  const view = new DataView(new ArrayBuffer(4));
  if (exp === 0x1f) {
    view.setUint32(0, (sign | 0x7f800000 | (mant << 13)) >>> 0);
  } else if (exp === 0) {
    if (mant === 0) view.setUint32(0, sign >>> 0);
    else {
      exp = 1;
      while ((mant & 0x400) === 0) { mant <<= 1; exp--; }
      mant &= 0x3ff;
      view.setUint32(0, (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0);
    }
  } else {
    view.setUint32(0, (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0);
  }
  return view.getFloat32(0);
}

describe('parseSafetensors: dtype conversion', () => {
  const readAs = (dtype: string, raw: Uint8Array, n: number): Float32Array =>
    parseSafetensors(build({ t: { dtype, shape: [n], data_offsets: [0, raw.length] } }, raw)).read('t');

  it('converts F16 exactly: normals, subnormals, zeros, infinities, NaN', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0400, 0x03ff, 0x0001, 0x8000, 0x0000, 0x7c00, 0xfc00, 0x7e00, 0x3555];
    const got = readAs('F16', u16le(bits), bits.length);
    expect(Array.from(got)).toEqual([
      1, -2, 65504, 2 ** -14, 1023 * 2 ** -24, 2 ** -24, -0, 0, Infinity, -Infinity, NaN, 0.333251953125,
    ]);
    expect(Object.is(got[6], -0)).toBe(true);
  });

  it('agrees with float32 bit surgery on all 65536 F16 values', () => {
    const all = Array.from({ length: 65536 }, (_, i) => i);
    const got = readAs('F16', u16le(all), all.length);
    let mismatches = 0;
    for (const h of all) if (!Object.is(got[h], halfBitsViaFloat32(h))) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('converts BF16 exactly (the upper 16 bits of a float32)', () => {
    const bits = [0x3f80, 0xc049, 0x4049, 0x7f7f, 0x0001, 0x8000, 0x7f80, 0xff80, 0x7fc0];
    const got = readAs('BF16', u16le(bits), bits.length);
    expect(Array.from(got)).toEqual([
      1, -3.140625, 3.140625, 3.3895313892515355e38, 2 ** -133, -0, Infinity, -Infinity, NaN,
    ]);
    expect(Object.is(got[5], -0)).toBe(true);
    expect(bits.map(bfloat16ToFloat)).toEqual(Array.from(got));
    expect([0x3c00, 0x0001, 0xfc00].map(halfToFloat)).toEqual([1, 2 ** -24, -Infinity]);
  });

  it('converts F64, integer and boolean dtypes', () => {
    const f64 = new Uint8Array(16);
    new DataView(f64.buffer).setFloat64(0, 1 / 3, true);
    new DataView(f64.buffer).setFloat64(8, -1e300, true);
    expect(Array.from(readAs('F64', f64, 2))).toEqual([Math.fround(1 / 3), -Infinity]);

    const i64 = new Uint8Array(16);
    new DataView(i64.buffer).setBigInt64(0, -5n, true);
    new DataView(i64.buffer).setBigInt64(8, 2n ** 40n + 1n, true);
    expect(Array.from(readAs('I64', i64, 2))).toEqual([-5, 2 ** 40]);

    const i32 = new Uint8Array(8);
    new DataView(i32.buffer).setInt32(0, -123456, true);
    new DataView(i32.buffer).setInt32(4, 7, true);
    expect(Array.from(readAs('I32', i32, 2))).toEqual([-123456, 7]);

    expect(Array.from(readAs('U8', new Uint8Array([0, 200, 255]), 3))).toEqual([0, 200, 255]);
    expect(Array.from(readAs('I8', new Uint8Array([0x80, 0xff, 5]), 3))).toEqual([-128, -1, 5]);
    expect(Array.from(readAs('BOOL', new Uint8Array([0, 1, 7]), 3))).toEqual([0, 1, 1]);
  });

  it('reads unaligned tensors from a view into a larger buffer, without copying the file', () => {
    const file = build(
      {
        b: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
        a: { dtype: 'F32', shape: [2], data_offsets: [1, 9] },
      },
      (() => {
        const d = new Uint8Array(9);
        d[0] = 9;
        new DataView(d.buffer).setFloat32(1, 1.5, true);
        new DataView(d.buffer).setFloat32(5, -2.25, true);
        return d;
      })(),
    );
    const backing = new Uint8Array(file.length + 3);
    backing.set(file, 3);
    const bytes = backing.subarray(3);
    const st = parseSafetensors(bytes);
    expect([...st.tensors.keys()]).toEqual(['b', 'a']);
    expect(st.tensors.get('a')).toEqual({ dtype: 'F32', shape: [2], begin: 1, end: 9 });
    expect(Array.from(st.read('a'))).toEqual([1.5, -2.25]);
    // The parsed file reads the caller's bytes: change one and the next read sees it.
    bytes[bytes.length - 9] = 42;
    expect(Array.from(st.read('b'))).toEqual([42]);
    // read() returns a fresh array each time.
    expect(st.read('a')).not.toBe(st.read('a'));
  });

  it('accepts an ArrayBuffer', () => {
    const bytes = writeSafetensors({ x: { shape: [], data: new Float32Array([7]) } });
    const copy = bytes.slice().buffer;
    expect(Array.from(parseSafetensors(copy).read('x'))).toEqual([7]);
  });
});

describe('writeSafetensors', () => {
  it('round-trips shapes, values and metadata, with sorted keys and an 8-byte-aligned data section', () => {
    const tensors = {
      'z.weight': { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, Math.fround(0.1)]) },
      a: { shape: [], data: new Float32Array([-0.5]) },
      empty: { shape: [0, 4], data: new Float32Array(0) },
    };
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'ünïcode' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const st = parseSafetensors(bytes);
    expect([...st.tensors.keys()]).toEqual(['a', 'empty', 'z.weight']);
    expect(st.metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    for (const [name, t] of Object.entries(tensors)) {
      expect(st.tensors.get(name)!.shape).toEqual(t.shape);
      expect(st.tensors.get(name)!.dtype).toBe('F32');
      expect(st.read(name)).toEqual(t.data);
    }
  });

  it('rejects data whose length does not match its shape', () => {
    const e = catchError(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } }));
    expect(e.key).toBe('w');
    expect(e.expected).toBe('data of 4 elements for shape [2, 2]');
    expect(e.found).toBe('3 elements');
  });
});

describe('parseSafetensors on the reference fixtures', () => {
  it('reads the BF16 Hugging Face ViT-Tiny (200 tensors)', () => {
    const st = parseSafetensors(fixture('vit-tiny-hf-bf16/model.safetensors'), 'model.safetensors');
    expect(st.tensors.size).toBe(200);
    expect(new Set([...st.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['BF16']));
    expect(st.tensors.get('vit.embeddings.position_embeddings')!.shape).toEqual([1, 197, 192]);
    const cls = st.read('vit.embeddings.cls_token');
    expect(Array.from(cls.subarray(0, 4))).toEqual([-0.07373046875, -0.02099609375, -0.03857421875, -0.044921875]);
    const q = st.read('vit.layers.0.attention.q_proj.weight');
    expect(q.length).toBe(192 * 192);
    expect(q.reduce((s, v) => s + v, 0)).toBeCloseTo(6.035461820662022, 9);
  });

  it('reads the F16 timm ViT-Tiny (152 tensors)', () => {
    const st = parseSafetensors(fixture('vit-tiny-timm-f16/model.safetensors'));
    expect(st.tensors.size).toBe(152);
    expect(st.tensors.get('blocks.0.attn.qkv.weight')).toMatchObject({ dtype: 'F16', shape: [576, 192] });
    const qkv = st.read('blocks.0.attn.qkv.weight');
    expect(Array.from(qkv.subarray(0, 4))).toEqual([0.058868408203125, 0.07586669921875, -0.02301025390625, -0.0212554931640625]);
    expect(qkv.reduce((s, v) => s + v, 0)).toBeCloseTo(-21.94385415315628, 9);
    const total = [...st.tensors.values()].reduce((s, t) => s + elementCount(t.shape), 0);
    expect(total).toBe(5_717_416);
  });

  it('reads metadata and F32/I32/I64 reference tensors', () => {
    const hf = parseSafetensors(fixture('vit-tiny-hf-bf16/reference.safetensors'));
    expect(hf.metadata).toEqual({ target: '115' });
    const logits = hf.read('logits');
    expect(logits.length).toBe(1000);
    expect(logits[0]).toBe(Math.fround(0.10690920054912567));
    const shapes = parseSafetensors(fixture('shapes-vit-hf/reference.safetensors'));
    expect(shapes.tensors.size).toBe(49);
    expect(Array.from(shapes.read('box_img0'))).toEqual([26, 21, 54, 48]);
    expect(shapes.tensors.get('label_img0')!.dtype).toBe('I64');
    expect(Array.from(shapes.read('label_img0'))).toEqual([0]);
  });
});
