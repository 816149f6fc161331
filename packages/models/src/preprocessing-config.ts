// The checkpoint's own preprocessing, read from its files (browser-safe):
//   transformers' preprocessor_config.json (ViTImageProcessor, DeiTImageProcessor and kin):
//     do_resize, size ({height, width} | {shortest_edge} | n), resample (PIL's number),
//     do_center_crop, crop_size; the crop's corner at (H − h) // 2.
//   timm's pretrained_cfg (in a Hub config.json): input_size, interpolation, crop_pct, crop_mode;
//     timm's eval transform resizes to floor(side / crop_pct) (centre: the short side; squash: both
//     sides), then crops the centre with torchvision's round((H − h) / 2).
// Both end at the model's side or are refused here, naming the key.

import { asJsonObject, JsonFields } from './config-fields.js';
import { defaultPreprocessing, type Preprocessing } from './preprocess.js';
import { PIL_RESAMPLE_BY_NUMBER, type ResampleFilter } from './resample.js';

const FILTER_NAMES: readonly ResampleFilter[] = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];

/** `n`, `{height, width}` or `{shortest_edge}` as transformers' get_size_dict reads them. */
function hfSize(p: JsonFields, key: string): { width: number; height: number } | { edge: number } {
  const v = p.json[key];
  const positive = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
  if (positive(v)) return { width: v, height: v };
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const s = v as Record<string, unknown>;
    if (positive(s.height) && positive(s.width)) return { width: s.width, height: s.height };
    if (positive(s.shortest_edge) && s.longest_edge === undefined) return { edge: s.shortest_edge };
  }
  return p.failText(key, 'a size: n, {"height": h, "width": w} or {"shortest_edge": n}', JSON.stringify(v));
}

/** The resize and crop of a preprocessor_config.json for a model of side `imageSize`. */
export function hfPreprocessing(p: JsonFields, imageSize: number): Preprocessing {
  const base = defaultPreprocessing(imageSize, p.file);
  let resample: ResampleFilter = base.resample;
  if (p.has('resample')) {
    const n = p.json.resample;
    if (typeof n !== 'number' || !(n in PIL_RESAMPLE_BY_NUMBER)) {
      p.fail('resample', 'a PIL filter number: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming', n);
    }
    resample = PIL_RESAMPLE_BY_NUMBER[n as number]!;
  }
  let resize: Preprocessing['resize'] = base.resize;
  if (!p.boolean('do_resize', true)) {
    p.fail('do_resize', 'true', p.json.do_resize, 'maskgrad resizes every image to the model\'s input; an image of any size needs a resize.');
  }
  if (p.has('size')) {
    const s = hfSize(p, 'size');
    resize = 'edge' in s ? { kind: 'shortest-edge', edge: s.edge } : { kind: 'size', ...s };
  }
  let crop: Preprocessing['crop'] = null;
  if (p.boolean('do_center_crop', false)) {
    const c = p.has('crop_size') ? hfSize(p, 'crop_size') : { width: 224, height: 224 };
    if ('edge' in c) p.failText('crop_size', '{"height": h, "width": w} or n', JSON.stringify(p.json.crop_size));
    crop = { ...(c as { width: number; height: number }), offset: 'floor' };
  }
  // a short side alone with no crop (which ViTImageProcessor itself refuses): crop the centre
  // square, as the processors that resize by the short side (CLIP, BiT) do with their crop
  if (resize.kind === 'shortest-edge' && !crop) crop = { width: resize.edge, height: resize.edge, offset: 'floor' };
  const out: Preprocessing = { resize, resample, crop, source: p.file };
  const final = crop ?? (resize as { width: number; height: number });
  if (final.width !== imageSize || final.height !== imageSize) {
    const key = crop ? 'crop_size' : 'size';
    p.failText(key, `${imageSize} x ${imageSize} (image_size in the model config)`, JSON.stringify(p.json[key]),
      'Resizing to a size other than the one the model was trained at is not supported.');
  }
  if (resize.kind === 'size' && crop && (crop.width > resize.width || crop.height > resize.height)) {
    p.failText('crop_size', `at most the resize (${resize.width} x ${resize.height})`, JSON.stringify(p.json.crop_size));
  }
  return out;
}

/** timm's eval preprocessing from a pretrained_cfg, with its mean and std. */
export function timmPreprocessing(
  cfg: JsonFields, imageSize: number,
): { preprocessing: Preprocessing; mean: [number, number, number]; std: [number, number, number] } {
  if (cfg.has('input_size')) {
    const v = cfg.json.input_size;
    if (!Array.isArray(v) || v.length !== 3 || v[0] !== 3 || v[1] !== imageSize || v[2] !== imageSize) {
      cfg.failText('input_size', `[3, ${imageSize}, ${imageSize}] (the architecture's image size)`, JSON.stringify(v));
    }
  }
  // timm's resolve_data_config defaults: bicubic, crop_pct 0.875, centre crop, ImageNet mean and std
  const interpolation = cfg.string('interpolation', 'bicubic');
  if (!FILTER_NAMES.includes(interpolation as ResampleFilter)) {
    cfg.fail('interpolation', `one of ${FILTER_NAMES.map((n) => `"${n}"`).join(', ')}`, cfg.json.interpolation);
  }
  const cropPct = cfg.positiveNumber('crop_pct', 0.875);
  if (cropPct > 1) cfg.fail('crop_pct', 'a fraction in (0, 1]', cfg.json.crop_pct);
  const mode = cfg.string('crop_mode', 'center');
  if (mode !== 'center' && mode !== 'squash') {
    cfg.fail('crop_mode', '"center" or "squash" ("border", which pads, is not supported)', cfg.json.crop_mode);
  }
  const scaled = Math.floor(imageSize / cropPct);
  const resize: Preprocessing['resize'] = mode === 'squash' ? { kind: 'size', width: scaled, height: scaled } : { kind: 'shortest-edge', edge: scaled };
  return {
    preprocessing: {
      resize, resample: interpolation as ResampleFilter, crop: { width: imageSize, height: imageSize, offset: 'half-even' },
      source: `${cfg.file}: pretrained_cfg`,
    },
    mean: cfg.rgb('mean', [0.485, 0.456, 0.406]),
    std: cfg.rgb('std', [0.229, 0.224, 0.225], true),
  };
}

/** hfPreprocessing for a parsed preprocessor_config.json (or its text). */
export function parseHfPreprocessing(json: unknown, fileName: string, imageSize: number): Preprocessing {
  return hfPreprocessing(new JsonFields(asJsonObject(json, fileName), fileName), imageSize);
}

/** timmPreprocessing for a parsed pretrained_cfg object; `fileName` names the file that holds it. */
export function parseTimmPretrainedCfg(json: unknown, fileName: string, imageSize: number): ReturnType<typeof timmPreprocessing> {
  return timmPreprocessing(new JsonFields(asJsonObject(json, fileName), fileName), imageSize);
}
