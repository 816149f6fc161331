/**
 * The explainer's perturbed image, fused with the model's per-channel
 * input normalization that follows it, over [N, C, H·W] images and a mask
 * of [N, 1, H·W] broadcast over channels:
 *   Φ = x·M + P·(1 − M) = P + (x − P)·M,  y = Φ·scale[c] + shift[c]
 *   dy/dM summed over channels: dM = Σ_c g · scale[c] · (x − P)
 * (scale 1/std, shift −mean/std normalizes; pass null for neither). One
 * kernel forward and one for the mask's gradient, instead of sub, mul, add
 * (and sub, div) forward and their backward chain; x and P get no gradient
 * (the explainer's inputs are constants).
 */
import type { Backend, Data } from './backend.js';
import { int } from './codegen.js';

export interface BlendShape {
  n: number;
  c: number;
  /** Pixels per channel plane (H·W). */
  hw: number;
}

function check(name: string, a: Data, want: number, what: string): void {
  if (a.length !== want) throw new Error(`blend: ${name} has ${a.length} values, expected ${want} (${what})`);
}

function affine(scale: Float32Array | null, shift: Float32Array | null, c: number): [Float32Array, Float32Array] {
  if (scale) check('scale', scale, c, 'one per channel');
  if (shift) check('shift', shift, c, 'one per channel');
  return [scale ?? new Float32Array(c).fill(1), shift ?? new Float32Array(c)];
}

/** y = (P + (x − P)·M)·scale[c] + shift[c]. */
export function blendKernel(
  backend: Backend, x: Data, p: Data, m: Data, s: BlendShape,
  scale: Float32Array | null = null, shift: Float32Array | null = null,
): Data {
  const { n, c, hw } = s;
  check('x', x, n * c * hw, 'N·C·H·W');
  check('the baseline', p, n * c * hw, 'N·C·H·W');
  check('the mask', m, n * hw, 'N·H·W, one plane per image');
  const source = `function(x, p, m, sc, sh) {
  const i = this.thread.x;
  const img = Math.floor(i / ${int(c * hw)});
  const r = i - img * ${int(c * hw)};
  const ch = Math.floor(r / ${int(hw)});
  const q = r - ch * ${int(hw)};
  const pv = p[i];
  return (pv + (x[i] - pv) * m[img * ${int(hw)} + q]) * sc[ch] + sh[ch];
}`;
  const args = { x: 'Array', p: 'Array', m: 'Array', sc: 'Array', sh: 'Array' } as const;
  return backend.run({ name: `blend [${n}×${c}×${hw}]`, source, output: n * c * hw, args }, [x, p, m, ...affine(scale, shift, c)]);
}

/** dM[n, q] = Σ_c g[n, c, q] · scale[c] · (x − P)[n, c, q]. */
export function blendMaskGradKernel(
  backend: Backend, g: Data, x: Data, p: Data, s: BlendShape, scale: Float32Array | null = null,
): Data {
  const { n, c, hw } = s;
  check('the gradient', g, n * c * hw, 'N·C·H·W');
  check('x', x, n * c * hw, 'N·C·H·W');
  check('the baseline', p, n * c * hw, 'N·C·H·W');
  const source = `function(g, x, p, sc) {
  const img = Math.floor(this.thread.x / ${int(hw)});
  const q = this.thread.x - img * ${int(hw)};
  let s = 0.0;
  for (let ch = 0; ch < ${int(c)}; ch++) {
    const i = (img * ${int(c)} + ch) * ${int(hw)} + q;
    s += g[i] * sc[ch] * (x[i] - p[i]);
  }
  return s;
}`;
  const args = { g: 'Array', x: 'Array', p: 'Array', sc: 'Array' } as const;
  return backend.run({ name: `blendMaskGrad [${n}×${c}×${hw}]`, source, output: n * hw, args }, [g, x, p, affine(scale, null, c)[0]]);
}

/** The unfused chain in float64: d = x − P, Φ = P + d·M, y = Φ·scale + shift; dM = Σ_c g·scale·d. */
export function blendReference(
  x: Float32Array, p: Float32Array, m: Float32Array, s: BlendShape,
  scale: Float32Array | null = null, shift: Float32Array | null = null, g?: Float32Array,
): { y: Float32Array; dm: Float32Array } {
  const { n, c, hw } = s;
  const at = (img: number, ch: number, q: number) => (img * c + ch) * hw + q;
  const d = Float64Array.from(x, (v, i) => v - p[i]);
  const y = new Float32Array(x.length);
  const dm = new Float32Array(n * hw);
  for (let img = 0; img < n; img++) {
    for (let ch = 0; ch < c; ch++) {
      const sc = scale ? scale[ch] : 1;
      for (let q = 0; q < hw; q++) {
        const i = at(img, ch, q);
        const phi = p[i] + d[i] * m[img * hw + q];
        y[i] = phi * sc + (shift ? shift[ch] : 0);
        if (g) dm[img * hw + q] += g[i] * sc * d[i];
      }
    }
  }
  return { y, dm };
}
