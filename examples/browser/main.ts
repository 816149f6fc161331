/**
 * maskgrad in the browser: load a ViT checkpoint over HTTP, decode an image
 * with the browser's own codecs, and learn its explanation mask on this
 * page, drawing each iteration as it happens.
 *
 * Query parameters: ?model=<folder URL> (a Hugging Face ViT folder with
 * config.json, preprocessor_config.json and model.safetensors, or a timm
 * folder with its Hub config.json; default the built-in shapes model, served
 * at /models/shapes-vit/) or ?model=org/name[@revision] (from the Hugging Face
 * Hub, hub.ts; ?hub=<url> for another endpoint), and
 * ?backend=webgpu|webasm|cpu|auto. The photo is prepared as the checkpoint's
 * own preprocessing says (resize with Pillow's filters, centre crop), and the
 * collage is drawn on the photo at its size.
 */
import { backendReport, getBackend, setBackend, type Tensor } from '@maskgrad/autograd';
import { WebGPUBackend } from '@maskgrad/kernels';
import type { ImageClassifier, InputGeometry, RgbImage } from '@maskgrad/models';
import {
  DEFAULTS, afterPhrase, areaChart, areaRule, collage, defaultMaskSize, describeOptions, explain, gamePhrase, heatmapOverlay, maskToRgb8, methodTitle,
  planarToRgb8, renderOnPhoto, saliencyOfExplanation, upscale,
  type Classifier, type ExplainOptions, type ExplainResult, type Method, type ProgressEvent, type Rgb8,
} from '@maskgrad/perturb';
import { loadModel } from './model-files.js';

/** What the page leaves for scripts (and the end-to-end test) once an explanation is done. */
export interface PageResult {
  backend: string;
  method: Method;
  /** extremal: the areas tried, and the reported one. */
  areas?: { area: number; probabilityKept: number; probabilityDeleted: number }[];
  area?: number;
  target: number;
  label: string;
  probabilityBefore: number;
  probabilityAfter: number;
  mask: { width: number; height: number; values: number[] };
  history: ExplainResult['history'];
  /** The decoded image (8-bit RGB, before resizing). */
  input: { width: number; height: number; data: number[] };
  /** How the model's input was made from it (resize, crop). */
  geometry: InputGeometry;
  seconds: number;
}

declare global {
  interface Window {
    __maskgradResult?: PageResult;
  }
}

const DEFAULT_MODEL = '/models/shapes-vit/';
/** The bundled example images (examples/images/, served at /images/), one per class of the built-in model. */
const EXAMPLE_IMAGES = ['disc.png', 'square.png', 'triangle.png', 'cross.png', 'ring.png'];

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const setState = (s: 'loading' | 'ready' | 'running' | 'done' | 'error') => { document.body.dataset.state = s; };
const status = (text: string) => { $('status').textContent = text; };

// ---- backend: WebGPU where the browser has a hardware adapter, else WebAssembly (SIMD), else plain JavaScript ----
// (a software adapter, such as SwiftShader, runs slower than WebAssembly: ?backend=webgpu uses it anyway)

/** setBackend must come before the model is built: tensors live on the backend current at creation. */
async function chooseBackend(): Promise<string> {
  const asked = params.get('backend');
  const backend = await setBackend(asked ?? 'auto');
  if (asked) return `${backend.name} (from ?backend=${asked})${backend instanceof WebGPUBackend ? ` on ${backend.adapterInfo}` : ''}`;
  const { reason, skipped } = backendReport(backend);
  return [`${backend.name} — ${reason}`, ...skipped.map((b) => `(${b.name}: ${b.reason})`)].join(' ');
}

// ---- model: the checkpoint's files over HTTP, from a folder or the Hub ----

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  return res;
}

// ---- images in and out ----

/**
 * Decode with the browser's codecs to 8-bit RGB. colorSpaceConversion
 * 'none' gives the stored sample values, as the Node decoder reads them;
 * alpha is dropped (fully transparent pixels come back black);
 * imageOrientation 'from-image' turns a JPEG upright by its EXIF orientation.
 */
async function decodeImage(blob: Blob): Promise<RgbImage> {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  const { width, height } = bitmap;
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < data.length; p += 3, q += 4) {
    data[p] = rgba[q];
    data[p + 1] = rgba[q + 1];
    data[p + 2] = rgba[q + 2];
  }
  return { width, height, data };
}

/** Draw an RGB8 picture on a canvas, scaled up by a whole factor so that small images stay legible. */
function draw(canvas: HTMLCanvasElement, img: Rgb8, factor = 1): void {
  const big = upscale(img, factor);
  canvas.width = big.width;
  canvas.height = big.height;
  const rgba = new ImageData(big.width, big.height);
  for (let i = 0; i < big.width * big.height; i++) {
    rgba.data.set(big.data.subarray(i * 3, i * 3 + 3), i * 4);
    rgba.data[i * 4 + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(rgba, 0, 0);
}

const fitFactor = (side: number, target: number) => Math.max(1, Math.round(target / side));

/** Live pictures are redrawn at most this often during a run (ms). */
const FRAME_MS = 100;

/** The probability (blue, 0..1) and the loss (red, its own range) by iteration. */
function drawCurves(canvas: HTMLCanvasElement, history: { loss: number; probability: number }[], iterations: number): void {
  const ctx = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = '#999';
  ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
  const losses = history.map((e) => e.loss);
  const lo = Math.min(...losses), span = Math.max(...losses) - lo || 1;
  const line = (ys: number[], toY: (v: number) => number, color: string) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ys.forEach((v, i) => ctx.lineTo(4 + ((w - 8) * i) / Math.max(1, iterations - 1), toY(v)));
    ctx.stroke();
  };
  line(losses, (v) => h - 4 - (h - 8) * ((v - lo) / span), '#c0392b');
  line(history.map((e) => e.probability), (p) => h - 4 - (h - 8) * p, '#2471a3');
}

// ---- the explanation ----

/**
 * The model as explain() sees it, through the Classifier interface: it also
 * shows the pixels it is asked to normalize, which during the run is
 * Φ(x; M) of the current iteration (the mask applied, noise and jitter
 * included; for the extremal perturbation, the first area's). The read starts while the tensor is alive (the iteration's
 * tidy scope frees it right after) and draws whenever the values arrive.
 */
function watched(model: ImageClassifier, wanted: () => boolean, show: (pixels: Float32Array) => void): Classifier {
  return {
    labels: model.labels,
    forward: (x) => model.forward(x),
    normalize: (pixels: Tensor) => {
      // the first image of the batch (extremal: the first area's, with its region kept)
      if (wanted()) pixels.slice(0, 0, 1).data().then(show, () => undefined);
      return model.normalize(pixels);
    },
  };
}

/** The form's options: the shared ones, and those of the chosen method (the other method's fields are hidden and not sent). */
function readOptions(): ExplainOptions {
  const num = (id: string) => {
    const v = $<HTMLInputElement>(id).value.trim();
    return v === '' ? undefined : Number(v);
  };
  const method = $<HTMLSelectElement>('method').value as Method;
  const shared: ExplainOptions = { method, iterations: num('iterations'), blurSigma: num('blur-sigma'), game: $<HTMLSelectElement>('game').value as ExplainOptions['game'] };
  if (method === 'extremal') {
    const areas = $<HTMLInputElement>('areas').value.trim();
    return { ...shared, areas: areas === '' ? undefined : areas.split(',').map(Number) };
  }
  return { ...shared, maskSize: num('mask-size'), seed: num('seed'), maskNoise: num('mask-noise'), jitter: num('jitter') };
}

/**
 * The page's words and placeholders, from the DEFAULTS the explainer uses
 * (so the page never states a default the code does not have).
 */
function describeDefaults(side: number): void {
  const e = DEFAULTS.extremal;
  const m = DEFAULTS.meaningful;
  const px = (at224: number) => `${+((at224 * side) / 224).toFixed(2)} px`;
  $('intro').textContent = `By default, the ${methodTitle({ method: 'extremal' })}: for each of the areas ${e.areas.join(', ')} of the image, ` +
    `learn by gradient descent in this page the smooth mask of that area ${gamePhrase(e.game)} ` +
    `(the ${e.game} game), and report the smallest area that keeps ${Math.round(100 * e.keepShare)}% of the original probability. ` +
    `The ${methodTitle({ method: 'meaningful' })} weights an area and a smoothness term instead.`;
  $<HTMLSelectElement>('method').value = DEFAULTS.method;
  $<HTMLSelectElement>('game').value = e.game;
  $<HTMLInputElement>('areas').placeholder = `default ${e.areas.join(',')}`;
  $<HTMLInputElement>('iterations').placeholder = `default ${e.iterations} (meaningful ${m.iterations})`;
  $<HTMLInputElement>('blur-sigma').placeholder = `default ${px(e.blurSigmaAt224)} (meaningful ${px(m.blurSigmaAt224)})`;
  $<HTMLInputElement>('mask-size').placeholder = `default ${defaultMaskSize(side)}`;
  $<HTMLInputElement>('seed').placeholder = `default ${m.seed}`;
  $<HTMLInputElement>('mask-noise').placeholder = `default ${m.maskNoise}${m.maskNoise === 0 ? ' (off)' : ''}`;
  $<HTMLInputElement>('jitter').placeholder = `default ${m.jitterAt224}${m.jitterAt224 === 0 ? ' (off)' : ''}`;
  showMethodFields();
}

/** Only the chosen method's fields are shown. */
function showMethodFields(): void {
  const method = $<HTMLSelectElement>('method').value;
  document.querySelectorAll<HTMLElement>('[data-method]').forEach((el) => { el.hidden = el.dataset.method !== method; });
}

/**
 * The seed project's collage, original | mask | overlay | perturbed, from
 * pixels [3, S, S] in [0, 1] (as renderResult in @maskgrad/perturb/node).
 */
function collageOf(r: ExplainResult, original: Float32Array): Rgb8 {
  const { width: w, height: h, values: up } = r.upsampledMask;
  const image = planarToRgb8(original, w, h);
  const overlay = heatmapOverlay(image, saliencyOfExplanation(r));
  const pictures = [image, maskToRgb8(up, w, h), overlay, planarToRgb8(r.perturbed, w, h)];
  return collage(pictures.map((p) => upscale(p, fitFactor(w, 224))));
}

async function run(model: ImageClassifier, image: RgbImage): Promise<void> {
  const options = readOptions();
  const prepared = model.prepare(image); // the checkpoint's resize and crop, as the CLI does it
  const x = model.pixels(prepared.image); // [1, 3, S, S] in [0, 1]
  const g = prepared.geometry;
  const side = model.imageSize;
  // the live pictures are redrawn at most every FRAME_MS (and at the last iteration): drawing every
  // iteration of a fast run costs as much as the run
  let lastDraw = -Infinity;
  const due = (p: ProgressEvent) => p.iteration === p.iterations - 1 || performance.now() - lastDraw >= FRAME_MS;
  let showPixels = true; // the next iteration's Φ(x; M) is read and drawn
  const classifier = watched(model, () => showPixels, (pixels) => draw($<HTMLCanvasElement>('live-canvas'), planarToRgb8(pixels, side, side), fitFactor(side, 192)));
  const history: { loss: number; probability: number }[] = [];
  const started = performance.now();
  const r = await explain(classifier, x, {
    ...options,
    onProgress: (p: ProgressEvent) => {
      // extremal: one mask per area; the curves follow their mean
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      history.push({ loss: mean(p.loss), probability: mean(p.probability) });
      showPixels = performance.now() - lastDraw >= FRAME_MS;
      if (!due(p)) return;
      lastDraw = performance.now();
      const areas = p.areas ? ` · areas ${p.areas.join(', ')}` : '';
      $('progress-text').textContent =
        `iteration ${p.iteration + 1} / ${p.iterations} · loss ${mean(p.loss).toFixed(4)} · p(target) ${p.probability.map((q) => q.toFixed(3)).join(' ')}${areas}`;
      const cells = Math.sqrt(p.mask[0].length);
      const masks = p.mask.map((m) => upscale(maskToRgb8(m, cells, cells), fitFactor(cells, 96)));
      draw($<HTMLCanvasElement>('live-mask-canvas'), masks.length === 1 ? masks[0] : collage(masks, 4));
      drawCurves($<HTMLCanvasElement>('curve-canvas'), history, p.iterations);
    },
  });
  const seconds = (performance.now() - started) / 1000;

  const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
  $('summary').innerHTML = '';
  const area = r.areas ? ` for the region of area ${r.areas[r.chosenArea!].area}` : '';
  $('summary').append(
    `Top class '${r.label}' (class ${r.target}): p = `, Object.assign(document.createElement('b'), { textContent: pct(r.probabilityBefore) }),
    ' before, ', Object.assign(document.createElement('b'), { textContent: pct(r.probabilityAfter) }),
    ` ${afterPhrase(r.options.game)}${area} (${r.options.iterations} iterations in ${seconds.toFixed(1)} s on ${getBackend().name}).`,
  );
  $('settings').textContent = `${methodTitle(r.options)}: ${describeOptions(r.options)}.${r.areas ? ` Reported: ${areaRule(r)}.` : ''}`;
  $('area-sweep').innerHTML = areaChart(r); // our own SVG string, labels escaped
  draw($<HTMLCanvasElement>('mask-canvas'), maskToRgb8(r.mask.values, r.mask.width, r.mask.height), fitFactor(r.mask.width, 224));
  $('mask-info').textContent = r.method === 'extremal'
    ? `the reported mask, ${r.mask.width}×${r.mask.height} (white: the region found)`
    : `the learned ${r.mask.width}×${r.mask.height} mask (white kept, black ${r.options.method === 'meaningful' && r.options.perturbation === 'blur' ? 'blurred' : 'perturbed'})`;
  // on the photo, at its size, unless the photo is the model's input as it is
  const asIs = g.source.width === g.crop.width && g.source.height === g.crop.height && g.resized.width === g.source.width;
  draw($<HTMLCanvasElement>('collage-canvas'), asIs ? collageOf(r, await x.data()) : renderOnPhoto(r, image, await x.data(), g)['collage.png']!);
  $('result').hidden = false;
  window.__maskgradResult = {
    backend: getBackend().name, method: r.method,
    ...(r.areas ? { areas: r.areas.map((a) => ({ area: a.area, probabilityKept: a.probabilityKept, probabilityDeleted: a.probabilityDeleted })), area: r.areas[r.chosenArea!].area } : {}),
    target: r.target, label: r.label, probabilityBefore: r.probabilityBefore, probabilityAfter: r.probabilityAfter,
    mask: { width: r.mask.width, height: r.mask.height, values: Array.from(r.mask.values) }, history: r.history,
    input: { width: image.width, height: image.height, data: Array.from(image.data) }, geometry: g, seconds,
  };
}

// ---- wiring ----

/** Kernels too large for the shared WebAssembly memory get one of their own; Chromium's V8 sandbox holds about 124 per page. */
const MEMORY_HINT = '\n\nThe webasm backend ran out of WebAssembly memories (the browser allows about 124 per page; kernels over 64 MiB each need their own). ' +
  'Reload with ?backend=cpu to run on plain JavaScript.';

function fail(e: unknown): void {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  $('error').textContent = message + (/WebAssembly\.Memory\(\): could not allocate memory/.test(message) ? MEMORY_HINT : '');
  $('error').hidden = false;
  status('Failed.');
  setState('error');
  console.error(e);
}

async function main(): Promise<void> {
  $('backend').textContent = await chooseBackend();
  const base = params.get('model') ?? DEFAULT_MODEL;
  const model = await loadModel(base, params.get('hub') ?? 'https://huggingface.co');
  const c = model.config;
  describeDefaults(model.imageSize);
  $('method').addEventListener('change', showMethodFields);
  $('model').textContent = `${base} — ViT ${c.imageSize} px, patch ${c.patchSize}, width ${c.hiddenSize}, ${c.numLayers} layers; ` +
    `${c.numClasses} classes (${model.labels.slice(0, 6).join(', ')}${c.numClasses > 6 ? ', …' : ''})`;

  let image: RgbImage | null = null;
  const use = async (blob: Blob, name: string) => {
    image = await decodeImage(blob);
    draw($<HTMLCanvasElement>('input-canvas'), image, fitFactor(Math.max(image.width, image.height), 128));
    const p = model.preprocessing;
    $('input-info').textContent = `${name}, ${image.width}×${image.height} (${p.resample} resize${p.crop ? ' and centre crop' : ''} to ${model.imageSize}×${model.imageSize} for the model, as ${p.source} says)`;
    $<HTMLButtonElement>('explain').disabled = false;
    status(`Image ${name} ready: press Explain.`);
  };
  const guarded = (f: () => Promise<void>) => () => { f().catch(fail); };

  $<HTMLInputElement>('file').disabled = false;
  $<HTMLInputElement>('file').addEventListener('change', guarded(async () => {
    const file = $<HTMLInputElement>('file').files?.[0];
    if (file) await use(file, file.name);
  }));
  if (base === DEFAULT_MODEL) {
    for (const name of EXAMPLE_IMAGES) {
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: name.replace('.png', '') });
      button.dataset.image = name;
      button.addEventListener('click', guarded(async () => {
        await use(await (await fetchOk(`/images/${name}`)).blob(), name);
      }));
      $('fixtures').append(button);
    }
  }
  $('options').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!image) return;
    const button = $<HTMLButtonElement>('explain');
    button.disabled = true;
    $('error').hidden = true;
    window.__maskgradResult = undefined;
    setState('running');
    status('Explaining…');
    run(model, image).then(() => { status('Done.'); setState('done'); }, fail).finally(() => { button.disabled = false; });
  });
  status('Model loaded: pick an image.');
  setState('ready');
}

main().catch(fail);
