/**
 * perturb(image, model, outputFolder, transforms?, { plot, ...options }):
 * the seed project's entry point. Explains the image and writes
 *   mask.png       the mask at the photo's size (extremal: white = the region found;
 *                  meaningful: white kept, black perturbed); with the default transforms every
 *                  picture is drawn on the photo as it is (photo-render.ts): the part outside
 *                  the checkpoint's centre crop, which the model never saw, grey and hatched
 *   heatmap.png    saliency colour-mapped over the image
 *   perturbed.png  Φ(x; M), what the model saw at the end
 *   blurred.png    the perturbation P (blurred, constant or noisy image; extremal: the strongest blur)
 *   collage.png    original | mask | overlay | perturbed
 *   result.json    everything explain() returns (low-res mask as a flat array)
 *   report.html    a self-contained page: images, parameters, probabilities, curves
 * Options are checked before any work; each output folder is written whole or not at all
 * (write-folder.ts), and only after every image's files are ready.
 */
import { join, relative } from 'node:path';
import { readImageFile, encodePng, NonFiniteError, type ImageClassifier, type InputGeometry, type RgbImage } from '@maskgrad/models/node';
import type { Tensor } from '@maskgrad/autograd';
import { explainBatch, type ExplainResult } from '../explain.js';
import { resolveOptions, type ExplainOptions } from '../options.js';
import { reportHtml } from '../report.js';
import { writeFolder } from './write-folder.js';
import { collage, heatmapOverlay, maskToRgb8, planarToRgb8, upscale, type Rgb8 } from '../render.js';
import { saliencyOfExplanation } from '../baselines/perturbation.js';
import { renderOnPhoto } from '../photo-render.js';

/** Image → pixels [1, 3, S, S] in [0, 1] at the model's input size. */
export type Transforms = (image: RgbImage) => Tensor;

export interface PerturbOptions extends ExplainOptions {
  /** Write the PNGs (mask, heatmap, perturbed, blurred, collage); result.json is always written. */
  plot?: boolean;
  /** Write report.html, a self-contained page of the result (default: when plotting). */
  report?: boolean;
  /** Named in the report. */
  modelName?: string;
  /**
   * A folder holding every output folder: it is replaced whole, as one result (the CLI's --out
   * with several images). Without it, each output folder is replaced whole on its own.
   */
  batchFolder?: string;
}

export const OUTPUT_FILES = ['mask.png', 'heatmap.png', 'perturbed.png', 'blurred.png', 'collage.png', 'result.json', 'report.html'] as const;

/** The photo and how the model's input was made from it (the default transforms), to draw the result on it. */
interface OnPhoto {
  photo: RgbImage;
  geometry: InputGeometry;
}

/**
 * result.json: explain()'s result with the typed arrays as plain arrays.
 * `mask.values` is the mask a reader sees (low resolution, in [0, 1]); for
 * the extremal perturbation `area` is its area, and `areas` lists every area
 * tried with the probability when only its region is kept and when it is
 * perturbed, its low-resolution mask and whether it was restarted from the
 * next smaller area's mask; `sweep` says where the kept probability still
 * falls from one area to the next, and why (empty when monotone).
 */
export function resultJson(r: ExplainResult, source?: string, geometry?: InputGeometry): unknown {
  const low = (m: { width: number; height: number; values: Float32Array }) => ({ width: m.width, height: m.height, values: Array.from(m.values) });
  return {
    source,
    method: r.method,
    target: r.target,
    label: r.label,
    probabilityBefore: r.probabilityBefore,
    probabilityAfter: r.probabilityAfter,
    probabilityPerturbed: r.probabilityPerturbed,
    ...(r.areas ? { area: r.areas[r.chosenArea!].area } : {}),
    mask: low(r.mask),
    upsampledMask: { width: r.upsampledMask.width, height: r.upsampledMask.height },
    // the photo → input path: mask pixel (u, v) covers photo x = (u + crop.left + ½)·source.width / resized.width − ½
    ...(geometry ? { geometry: { ...geometry, scale: { x: geometry.resized.width / geometry.source.width, y: geometry.resized.height / geometry.source.height } } } : {}),
    ...(r.areas ? {
      areas: r.areas.map((a) => ({ area: a.area, probabilityKept: a.probabilityKept, probabilityDeleted: a.probabilityDeleted, restarted: a.restarted, mask: low(a.mask) })),
      sweep: r.sweep ?? [],
    } : {}),
    options: r.options,
    backend: r.backend,
    history: r.history,
  };
}

/** The PNGs for one result, as RGB8 images by file name. */
export function renderResult(r: ExplainResult, original: Float32Array): Record<string, Rgb8> {
  const { width: w, height: h, values: up } = r.upsampledMask;
  const image = planarToRgb8(original, w, h);
  const overlay = heatmapOverlay(image, saliencyOfExplanation(r));
  const mask = maskToRgb8(up, w, h);
  const perturbed = planarToRgb8(r.perturbed, w, h);
  const factor = Math.max(1, Math.ceil(224 / w));
  return {
    'mask.png': mask,
    'heatmap.png': overlay,
    'perturbed.png': perturbed,
    'blurred.png': planarToRgb8(r.baseline, w, h),
    'collage.png': collage([image, mask, overlay, perturbed].map((p) => upscale(p, factor))),
    // extremal: every area's mask, smallest first (shown in report.html, not written as a file)
    ...(r.areas ? { 'areas.png': collage(r.areas.map((a) => upscale(maskToRgb8(a.upsampledMask.values, w, h), Math.max(1, Math.ceil(112 / w))))) } : {}),
  };
}

/**
 * Explain several images as one batch (one mask each) and write one output
 * folder per image.
 */
export async function perturbBatch(
  images: readonly (string | RgbImage)[], model: ImageClassifier, outputFolders: readonly string[],
  transforms?: Transforms | null, options: PerturbOptions = {},
): Promise<ExplainResult[]> {
  if (images.length !== outputFolders.length) throw new Error(`${images.length} images but ${outputFolders.length} output folders`);
  resolveOptions(options, model.imageSize); // reject bad options before reading anything
  const decoded = images.map((im) => (typeof im === 'string' ? readImageFile(im) : im));
  // the default transforms keep the geometry, so that the outputs are drawn on the photo
  const prepared = decoded.map((d) => (transforms ? null : model.prepare(d)));
  const onPhoto = decoded.map((photo, i): OnPhoto | null => (prepared[i] ? { photo, geometry: prepared[i]!.geometry } : null));
  const pixels = decoded.map((d, i) => (transforms ? transforms(d) : model.pixels(prepared[i]!.image)));
  const x = pixels.length === 1 ? pixels[0] : pixels[0].concat(pixels.slice(1), 0);
  let results: ExplainResult[];
  try {
    results = await explainBatch(model, x, options);
  } catch (e) {
    throw NonFiniteError.nameImages(e, images.map((im, i) => (typeof im === 'string' ? im : `image ${i + 1}`)), model.source);
  }
  const xs = await x.data();
  const plane = 3 * x.shape[2] * x.shape[3];
  const written = results.map((r, i) => {
    const source = typeof images[i] === 'string' ? (images[i] as string) : undefined;
    return resultFiles(r, xs.subarray(i * plane, (i + 1) * plane), source, options, onPhoto[i]!);
  });
  // everything is encoded before the first file is written
  if (options.batchFolder !== undefined) {
    const root = options.batchFolder;
    const all: Record<string, Uint8Array | string> = {};
    written.forEach((files, i) => {
      const sub = relative(root, outputFolders[i]);
      if (sub === '' || sub.startsWith('..')) throw new Error(`internal: output folder ${outputFolders[i]} is not inside batchFolder ${root}`);
      for (const [name, content] of Object.entries(files)) all[join(sub, name)] = content;
    });
    writeFolder(root, all);
  } else {
    written.forEach((files, i) => writeFolder(outputFolders[i], files));
  }
  return results;
}

/** The files of one result: result.json, and unless `plot` is false the PNGs and report.html. */
function resultFiles(
  r: ExplainResult, original: Float32Array, source: string | undefined, options: PerturbOptions, onPhoto: OnPhoto | null,
): Record<string, Uint8Array | string> {
  const files: Record<string, Uint8Array | string> = { 'result.json': JSON.stringify(resultJson(r, source, onPhoto?.geometry), null, 2) };
  if (options.plot === false) return files;
  const pngs: Record<string, Uint8Array> = {};
  // a photo that is the input as it is (no resize, no crop) keeps the model-resolution pictures
  const g = onPhoto?.geometry;
  const same = !g || (g.source.width === g.crop.width && g.source.height === g.crop.height && g.resized.width === g.source.width);
  const pictures = same ? renderResult(r, original) : renderOnPhoto(r, onPhoto!.photo, original, g!);
  for (const [name, img] of Object.entries(pictures)) pngs[name] = encodePng(img.width, img.height, img.data, 3);
  // written as files: the OUTPUT_FILES (areas.png, every area's mask, is shown in report.html only)
  for (const name of OUTPUT_FILES) if (pngs[name]) files[name] = pngs[name];
  if (options.report !== false) files['report.html'] = reportHtml({ result: r, pngs, source, model: options.modelName });
  return files;
}

/** The seed project's perturb(image, model, output_folder, transforms, plot=True). */
export async function perturb(
  image: string | RgbImage, model: ImageClassifier, outputFolder: string,
  transforms?: Transforms | null, options: PerturbOptions = {},
): Promise<ExplainResult> {
  return (await perturbBatch([image], model, [outputFolder], transforms, options))[0];
}
