/**
 * @maskgrad/perturb: explanations by meaningful perturbation (Fong &
 * Vedaldi, ICCV 2017) on @maskgrad/autograd. Browser-safe; writing files
 * lives in '@maskgrad/perturb/node'.
 */
export { explain, explainBatch, baselineOf, type ExplainResult, type MaskImage } from './explain.js';
export { objective, l1Term, tvTerm, composite, shift, targetProbability, meanPerImage, type Classifier, type ObjectiveInputs, type ObjectiveValue } from './objective.js';
export { gaussianBlur, gaussianTaps } from './blur.js';
export { base64, lineChart, reportHtml, type ReportInput } from './report.js';
export { collage, colormap, heatmapOverlay, maskToRgb8, planarToRgb8, upscale, type Rgb8 } from './render.js';
export { DEFAULTS, OptionError, resolveOptions, type ExplainOptions, type Game, type Perturbation, type ProgressEvent, type ResolvedOptions } from './options.js';
