/**
 * GELU fused with the bias add before it (the ViT MLP's fc1 → act), forward
 * and backward, over a contiguous [rows, cols] array and a bias of [cols]:
 *   u = x + b,  y = GELU(u) = u·Φ(u) = ½u(1 + erf(u/√2))
 *   dx = g · GELU′(u) = g · (Φ(u) + u·φ(u)),  φ(u) = e^(−u²/2)/√(2π)
 * (the bias gradient is dx summed over rows, a reduction). One kernel each,
 * instead of add → gelu and gelu′ → mul. erf and exp come from
 * transcendental.ts (polynomials on webasm).
 */
import type { ArgType, Backend, TensorData } from './backend.js';
import { int, lit } from './codegen.js';
import { erfReference, erfSource, expSource } from './transcendental.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const NO_BIAS = new Float32Array(1);

function geluSource(backend: Backend, cols: number, withBias: boolean, backward: boolean): string {
  const u = withBias ? 'x[i] + b[i - Math.floor(i / ' + int(cols) + ') * ' + int(cols) + ']' : 'x[i]';
  const lines = [
    `function(x, b${backward ? ', g' : ''}) {`,
    '  const i = this.thread.x;',
    `  const u = ${u};`,
    `  ${erfSource(backend.name, `u * ${lit(SQRT1_2)}`, 'ef')}`,
  ];
  if (backward) {
    lines.push(`  ${expSource(backend.name, '-0.5 * u * u', 'ex')}`);
    lines.push(`  return g[i] * (0.5 * (1.0 + ef) + u * ${lit(INV_SQRT_2PI)} * ex);`);
  } else {
    lines.push('  return 0.5 * u * (1.0 + ef);');
  }
  lines.push('}');
  return lines.join('\n');
}

function run(backend: Backend, x: TensorData, bias: TensorData | null, g: TensorData | null, cols: number): TensorData {
  if (bias && bias.length !== cols) throw new Error(`gelu: bias has ${bias.length} values, expected ${cols} (one per column)`);
  if (g && g.length !== x.length) throw new Error(`gelu backward: gradient has ${g.length} values, expected ${x.length} (one per input)`);
  const args: Record<string, ArgType> = g ? { x: 'Array', b: 'Array', g: 'Array' } : { x: 'Array', b: 'Array' };
  const inputs = g ? [x, bias ?? NO_BIAS, g] : [x, bias ?? NO_BIAS];
  const name = `${g ? 'geluBackward' : 'gelu'}${bias ? '(x + bias)' : ''} [${x.length / cols}×${cols}]`;
  return backend.run({ name, source: geluSource(backend, cols, !!bias, !!g), output: x.length, args }, inputs);
}

/** GELU(x + bias), bias broadcast over rows of `cols` (null: none). */
export function geluKernel(backend: Backend, x: TensorData, bias: TensorData | null, cols: number): TensorData {
  return run(backend, x, bias, null, cols);
}

/** g · GELU′(x + bias): the gradient with respect to x (and, summed over rows, to bias). */
export function geluBackwardKernel(backend: Backend, x: TensorData, bias: TensorData | null, g: TensorData, cols: number): TensorData {
  return run(backend, x, bias, g, cols);
}

/** The unfused chain, step by step in float64: u = x + b, then erf, exp and the products. */
export function geluReference(x: Float32Array, bias: Float32Array | null, cols: number, g?: Float32Array): Float32Array {
  const u = Float64Array.from(x, (v, i) => v + (bias ? bias[i % cols] : 0));
  const phi = u.map((v) => 0.5 * (1 + erfReference(v * SQRT1_2)));
  if (!g) return Float32Array.from(u, (v, i) => v * phi[i]);
  const dens = u.map((v) => INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  return Float32Array.from(u, (v, i) => g[i] * (phi[i] + v * dens[i]));
}
