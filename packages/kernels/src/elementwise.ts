/**
 * Elementwise kernels: one output cell per element, inputs broadcast with
 * NumPy rules and read through their strides (so permuted, sliced and
 * expanded views need no copy).
 *
 * Every op is a pair: `kernel` is gpu.js source computing `r` from `x0..xn`,
 * `reference` is the same math in plain TypeScript, the oracle for tests.
 */
import type { Backend, BackendName, TensorData } from './backend.js';
import { stridedIndex } from './codegen.js';
import { broadcastShapes, broadcastView, sizeOf, type View } from './shape.js';

export interface ElementwiseOp {
  /** The op's name, with its parameters ("exp", "clamp(0, 1)"); the kernel is named after it. */
  name: string;
  /** gpu.js statements assigning `r` from inputs `x0`, `x1`, ... (per backend where the math differs, as exp on webasm) */
  kernel: string | ((backend: BackendName) => string);
  /** The same computation in plain TypeScript. */
  reference: (...x: number[]) => number;
}

/** Run an elementwise op over broadcast inputs; returns a contiguous result of the broadcast shape. */
export function mapKernel(backend: Backend, op: ElementwiseOp, inputs: readonly View[]): { data: TensorData; shape: number[] } {
  const shape = inputs.map((v) => v.shape).reduce((a, b) => broadcastShapes(a, b));
  const views = inputs.map((v) => broadcastView(v, shape));
  const n = sizeOf(shape);
  const read = stridedIndex(shape, views, 'i', 'e');
  const params = views.map((_, k) => `a${k}`);
  const loads = views.map((_, k) => `const x${k} = a${k}[${read.index[k]}];`).join('\n  ');
  const source = `function(${params.join(', ')}) {
  const i = this.thread.x;
  ${read.prelude}
  ${loads}
  let r = 0.0;
  ${typeof op.kernel === 'string' ? op.kernel : op.kernel(backend.name)}
  return r;
}`;
  const args: Record<string, 'Array'> = {};
  for (const p of params) args[p] = 'Array';
  const data = backend.run({ name: `${op.name} [${shape.join('×')}]`, source, output: n, args }, views.map((v) => v.data));
  return { data, shape: [...shape] };
}

/** Reference: the same op with plain loops over broadcast coordinates (host views). */
export function mapReference(op: ElementwiseOp, inputs: readonly View<Float32Array>[]): { data: Float32Array; shape: number[] } {
  const hosts = inputs.map((v) => v.data);
  const shape = inputs.map((v) => v.shape).reduce((a, b) => broadcastShapes(a, b));
  const views = inputs.map((v) => broadcastView(v, shape));
  const n = sizeOf(shape);
  const out = new Float32Array(n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  const xs = new Array<number>(views.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < views.length; k++) {
      let p = views[k].offset;
      for (let d = 0; d < rank; d++) p += idx[d] * views[k].strides[d];
      xs[k] = hosts[k][p];
    }
    out[i] = op.reference(...xs);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape: [...shape] };
}
