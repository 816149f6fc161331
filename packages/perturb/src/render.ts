/**
 * Turning masks and images into RGB8 pictures (browser-safe): greyscale
 * masks, a colour-mapped heatmap over the image, and the seed project's
 * collage (original | mask | overlay | perturbed).
 */
export interface Rgb8 {
  width: number;
  height: number;
  /** 3 bytes per pixel, row-major. */
  data: Uint8Array;
}

const to8 = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));

/** [3, H, W] floats in [0, 1] → RGB8. */
export function planarToRgb8(planar: Float32Array, width: number, height: number): Rgb8 {
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = to8(planar[c * plane + i]);
  return { width, height, data };
}

/** A mask in [0, 1] as grey RGB8 (white = kept, black = deleted). */
export function maskToRgb8(values: Float32Array, width: number, height: number): Rgb8 {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.fill(to8(values[i]), i * 3, i * 3 + 3);
  return { width, height, data };
}

/** A perceptually ordered blue → cyan → yellow → red ramp ("jet"-like) for t in [0, 1]. */
export function colormap(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t));
  const r = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * x - 3)));
  const g = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * x - 2)));
  const b = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * x - 1)));
  return [r, g, b];
}

/** Saliency (0..1, hot = important) colour-mapped and blended over the image at `alpha`. */
export function heatmapOverlay(image: Rgb8, saliency: Float32Array, alpha = 0.5): Rgb8 {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < image.width * image.height; i++) {
    const c = colormap(saliency[i]);
    for (let k = 0; k < 3; k++) data[i * 3 + k] = Math.round((1 - alpha) * image.data[i * 3 + k] + alpha * 255 * c[k]);
  }
  return { width: image.width, height: image.height, data };
}

/** Nearest-neighbour upscaling by an integer factor (small model inputs stay legible). */
export function upscale(img: Rgb8, factor: number): Rgb8 {
  if (factor === 1) return img;
  const w = img.width * factor;
  const h = img.height * factor;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const s = (Math.floor(y / factor) * img.width + Math.floor(x / factor)) * 3;
    data.set(img.data.subarray(s, s + 3), (y * w + x) * 3);
  }
  return { width: w, height: h, data };
}

/** Panels side by side on a white background with a gap between them. */
/** Images one below the other, left-aligned, `gap` white rows between them, on a white page as wide as the widest. */
export function stackRows(rows: readonly Rgb8[], gap = 0): Rgb8 {
  const width = Math.max(...rows.map((r) => r.width));
  const height = rows.reduce((s, r) => s + r.height, 0) + gap * (rows.length - 1);
  const data = new Uint8Array(width * height * 3).fill(255);
  let y0 = 0;
  for (const r of rows) {
    for (let y = 0; y < r.height; y++) data.set(r.data.subarray(y * r.width * 3, (y + 1) * r.width * 3), ((y0 + y) * width) * 3);
    y0 += r.height + gap;
  }
  return { width, height, data };
}

export function collage(panels: readonly Rgb8[], gap = 8): Rgb8 {
  const height = Math.max(...panels.map((p) => p.height)) + 2 * gap;
  const width = panels.reduce((s, p) => s + p.width, 0) + gap * (panels.length + 1);
  const data = new Uint8Array(width * height * 3).fill(255);
  let x0 = gap;
  for (const p of panels) {
    for (let y = 0; y < p.height; y++) data.set(p.data.subarray(y * p.width * 3, (y + 1) * p.width * 3), ((y + gap) * width + x0) * 3);
    x0 += p.width + gap;
  }
  return { width, height, data };
}
