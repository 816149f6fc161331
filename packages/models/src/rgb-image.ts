/** An 8-bit RGB image, 3 bytes per pixel, row-major: `data[3 * (y * width + x) + c]`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}
