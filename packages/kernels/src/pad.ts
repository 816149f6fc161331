/**
 * Padding of a contiguous n-d array: `pads[d] = [before, after]` per axis,
 * with a constant or by reflection (torch 'reflect': the edge is not
 * repeated, so before/after must be smaller than the axis).
 */
import type { Backend, TensorData } from './backend.js';
import { int, lit } from './codegen.js';
import { contiguousStrides, sizeOf } from './shape.js';

export type PadMode = 'constant' | 'reflect';

export function paddedShape(shape: readonly number[], pads: readonly (readonly [number, number])[]): number[] {
  return shape.map((d, i) => d + pads[i][0] + pads[i][1]);
}

export function padKernel(
  backend: Backend, x: TensorData, shape: readonly number[], pads: readonly (readonly [number, number])[],
  mode: PadMode, value = 0,
): TensorData {
  const out = paddedShape(shape, pads);
  const inStrides = contiguousStrides(shape);
  const lines: string[] = [];
  let q = 'this.thread.x';
  const terms: string[] = [];
  const inside: string[] = [];
  for (let d = out.length - 1; d >= 0; d--) {
    const c = `c${d}`;
    if (d > 0) {
      lines.push(`const q${d} = Math.floor(${q} / ${int(out[d])});`);
      lines.push(`let ${c} = ${q} - q${d} * ${int(out[d])} - ${int(pads[d][0])};`);
      q = `q${d}`;
    } else {
      lines.push(`let ${c} = ${q} - ${int(pads[d][0])};`);
    }
    if (mode === 'reflect') {
      lines.push(`if (${c} < 0) { ${c} = -${c}; }`);
      lines.push(`if (${c} >= ${int(shape[d])}) { ${c} = ${int(2 * (shape[d] - 1))} - ${c}; }`);
    } else {
      inside.push(`${c} >= 0 && ${c} < ${int(shape[d])}`);
    }
    terms.push(`${c} * ${int(inStrides[d])}`);
  }
  const read = `x[${terms.join(' + ')}]`;
  const body = mode === 'reflect' ? `return ${read};` : `if (${inside.join(' && ')}) { return ${read}; }\n  return ${lit(value)};`;
  const source = `function(x) {\n  ${lines.join('\n  ')}\n  ${body}\n}`;
  return backend.run({ name: `pad(${mode}) [${shape.join('×')}] → [${out.join('×')}]`, source, output: sizeOf(out), args: { x: 'Array' } }, [x]);
}

export function padReference(
  x: Float32Array, shape: readonly number[], pads: readonly (readonly [number, number])[], mode: PadMode, value = 0,
): Float32Array {
  const out = paddedShape(shape, pads);
  const outStrides = contiguousStrides(out);
  const inStrides = contiguousStrides(shape);
  const result = new Float32Array(sizeOf(out));
  for (let i = 0; i < result.length; i++) {
    let p = 0;
    let ok = true;
    for (let d = 0; d < out.length; d++) {
      let c = Math.floor(i / outStrides[d]) % out[d] - pads[d][0];
      if (mode === 'reflect') {
        if (c < 0) c = -c;
        if (c >= shape[d]) c = 2 * (shape[d] - 1) - c;
      } else if (c < 0 || c >= shape[d]) ok = false;
      p += c * inStrides[d];
    }
    result[i] = ok ? x[p] : value;
  }
  return result;
}
