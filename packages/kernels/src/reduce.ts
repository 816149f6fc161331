/**
 * Reductions along one axis of a contiguous array, seen as [outer, R, inner]:
 * the output has shape [outer, inner]. Several axes reduce one at a time.
 * Sums use Kahan compensation, so long rows keep float32 accuracy.
 */
import type { Backend, TensorData } from './backend.js';
import { int } from './codegen.js';

export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax';

export interface ReduceShape {
  outer: number;
  reduce: number;
  inner: number;
}

/** [outer, R, inner] for reducing `axis` of `shape`. */
export function reduceShape(shape: readonly number[], axis: number): ReduceShape {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, reduce: shape[axis], inner };
}

const BODY: Record<ReduceOp, (read: string) => string> = {
  sum: (read) => `
  let s = 0.0;
  let comp = 0.0;
  for (let k = 0; k < R; k++) {
    const y = ${read} - comp;
    const t = s + y;
    comp = (t - s) - y;
    s = t;
  }
  return s;`,
  max: (read) => `
  let m = -3.4e38;
  for (let k = 0; k < R; k++) {
    const v = ${read};
    if (v > m) { m = v; }
  }
  return m;`,
  min: (read) => `
  let m = 3.4e38;
  for (let k = 0; k < R; k++) {
    const v = ${read};
    if (v < m) { m = v; }
  }
  return m;`,
  argmax: (read) => `
  let m = -3.4e38;
  let at = 0.0;
  for (let k = 0; k < R; k++) {
    const v = ${read};
    if (v > m) { m = v; at = k; }
  }
  return at;`,
};

export function reduceKernel(backend: Backend, op: ReduceOp, x: TensorData, s: ReduceShape): TensorData {
  const { outer, reduce, inner } = s;
  const base = inner === 1 ? `i * ${int(reduce)}` : `Math.floor(i / ${int(inner)}) * ${int(reduce * inner)} + (i - Math.floor(i / ${int(inner)}) * ${int(inner)})`;
  const read = inner === 1 ? 'x[b + k]' : `x[b + k * ${int(inner)}]`;
  const source = `function(x) {
  const i = this.thread.x;
  const b = ${base};
  ${BODY[op](read).replace(/k < R/g, `k < ${int(reduce)}`)}
}`;
  return backend.run({ name: `${op} [${outer}×${reduce}×${inner}] over ${reduce}`, source, output: outer * inner, args: { x: 'Array' } }, [x]);
}

export function reduceReference(op: ReduceOp, x: Float32Array, s: ReduceShape): Float32Array {
  const { outer, reduce, inner } = s;
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = op === 'sum' ? 0 : op === 'min' ? Infinity : -Infinity;
      let at = 0;
      for (let k = 0; k < reduce; k++) {
        const v = x[(o * reduce + k) * inner + j];
        if (op === 'sum') acc += v;
        else if (op === 'min' ? v < acc : v > acc) {
          acc = v;
          at = k;
        }
      }
      out[o * inner + j] = op === 'argmax' ? at : acc;
    }
  }
  return out;
}
