/**
 * Separable Gaussian blur with reflect padding, as the reference:
 * 2·ceil(3σ)+1 taps of exp(−t²/2σ²), normalized to sum 1, applied along
 * rows then columns as depthwise convolutions (groups = channels).
 */
import { conv2d, tensor, type Tensor } from '@maskgrad/autograd';

export function gaussianTaps(sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  // exp(−½(t/σ)²), not exp(−t²/2σ²): for a tiny σ (1e-300) σ² underflows to 0 and 0/0 is NaN at t = 0
  const taps = Float32Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-0.5 * ((i - radius) / sigma) ** 2));
  const total = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / total);
}

/** Blur [N, C, H, W]. Differentiable (it is composed of pad and conv2d). */
export function gaussianBlur(x: Tensor, sigma: number): Tensor {
  const [, c] = x.shape;
  const taps = gaussianTaps(sigma);
  const k = taps.length;
  const r = (k - 1) / 2;
  const weights = (h: number, w: number) => {
    const data = new Float32Array(c * k);
    for (let ch = 0; ch < c; ch++) data.set(taps, ch * k);
    return tensor(data, [c, 1, h, w], { backend: x.backend });
  };
  const rows = conv2d(x.pad([[r, r]], 'reflect'), weights(1, k), null, { groups: c });
  return conv2d(rows.pad([[r, r], [0, 0]], 'reflect'), weights(k, 1), null, { groups: c });
}
