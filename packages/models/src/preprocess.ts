// How a photo becomes the model's square input, as the checkpoint's own preprocessing does it
// (browser-safe): resize (to a fixed size, or the short side to a length) with a Pillow filter,
// then a centre crop to the model's side. The geometry of that path is kept, so that an
// explanation computed at the model's resolution can be drawn back onto the photo.

import type { RgbImage } from './rgb-image.js';
import { resampleRgb8, type ResampleFilter } from './resample.js';

export interface Preprocessing {
  /**
   * `size`: resize to exactly width × height (transformers' `size: {height, width}`, timm's
   * squash mode); `shortest-edge`: the short side to `edge` and the long side in proportion,
   * truncated (transformers' `shortest_edge`, torchvision's Resize(int) in timm's centre mode).
   */
  resize: { kind: 'size'; width: number; height: number } | { kind: 'shortest-edge'; edge: number };
  resample: ResampleFilter;
  /**
   * A centre crop to width × height after the resize, or null. `offset` is how its corner is
   * rounded: `floor` (transformers: (H − h) // 2) or `half-even` (torchvision: round((H − h) / 2)).
   */
  crop: { width: number; height: number; offset: 'floor' | 'half-even' } | null;
  /** Where this came from, for messages and result.json: `preprocessor_config.json`, `pretrained_cfg`. */
  source: string;
}

/** transformers' ViTImageProcessor with its defaults: the whole image squashed to S × S, PIL bilinear. */
export function defaultPreprocessing(imageSize: number, source = 'ViTImageProcessor defaults'): Preprocessing {
  return { resize: { kind: 'size', width: imageSize, height: imageSize }, resample: 'bilinear', crop: null, source };
}

/** Where the model's input came from in the photo: sizes in pixels, the crop box in resized pixels. */
export interface InputGeometry {
  /** The photo as shown (EXIF orientation applied). */
  source: { width: number; height: number };
  /** The photo after the resize, before the crop. */
  resized: { width: number; height: number };
  /** The model's input: this box of the resized photo. */
  crop: { left: number; top: number; width: number; height: number };
}

/** Python's round() for halves: to the even neighbour. */
const roundHalfEven = (x: number): number => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** The size the photo is resized to. */
export function resizedSize(p: Preprocessing, width: number, height: number): { width: number; height: number } {
  if (p.resize.kind === 'size') return { width: p.resize.width, height: p.resize.height };
  const { edge } = p.resize;
  // int(edge * long / short), as transformers and torchvision compute it
  return width <= height
    ? { width: edge, height: Math.trunc((edge * height) / width) }
    : { width: Math.trunc((edge * width) / height), height: edge };
}

/** The geometry `p` gives a width × height photo, checked to end at the model's side. */
export function inputGeometry(p: Preprocessing, width: number, height: number, imageSize: number): InputGeometry {
  const resized = resizedSize(p, width, height);
  const cw = p.crop ? p.crop.width : resized.width;
  const ch = p.crop ? p.crop.height : resized.height;
  if (cw !== imageSize || ch !== imageSize) {
    throw new RangeError(`${p.source} makes a ${cw} x ${ch} input from a ${width} x ${height} image; the model takes ${imageSize} x ${imageSize}`);
  }
  if (cw > resized.width || ch > resized.height) {
    throw new RangeError(`${p.source}: the crop (${cw} x ${ch}) is larger than the resized ${width} x ${height} image (${resized.width} x ${resized.height})`);
  }
  const offset = (free: number) => (p.crop?.offset === 'half-even' ? roundHalfEven(free / 2) : Math.floor(free / 2));
  return {
    source: { width, height },
    resized,
    crop: { left: offset(resized.width - cw), top: offset(resized.height - ch), width: cw, height: ch },
  };
}

/** The model's S × S input as 8-bit RGB (resized and cropped as `p` says), and how it was made. */
export function prepareImage(img: RgbImage, p: Preprocessing, imageSize: number): { image: RgbImage; geometry: InputGeometry } {
  const geometry = inputGeometry(p, img.width, img.height, imageSize);
  const resized = resampleRgb8(img, geometry.resized.width, geometry.resized.height, p.resample);
  const { left, top, width, height } = geometry.crop;
  if (left === 0 && top === 0 && width === resized.width && height === resized.height) return { image: resized, geometry };
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * resized.width + left) * 3;
    data.set(resized.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { image: { width, height, data }, geometry };
}
