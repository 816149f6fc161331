/**
 * @maskgrad/perturb: explanations by meaningful perturbation (Fong &
 * Vedaldi, ICCV 2017) on @maskgrad/autograd. Browser-safe; writing files
 * lives in '@maskgrad/perturb/node'.
 */
export { explain, explainBatch, baselineOf, weakPerturbationNote, type ExplainResult, type MaskImage } from './explain.js';
export { objective, l1Term, tvTerm, composite, shift, targetProbability, meanPerImage, type Classifier, type ObjectiveInputs, type ObjectiveValue } from './objective.js';
export { gaussianBlur, gaussianTaps } from './blur.js';
export { attack, predict, quantize8, resolveAttackOptions, type AttackOptions, type AttackResult } from './attack.js';
export { base64, lineChart, reportHtml, type ReportInput } from './report.js';
export { collage, stackRows, colormap, heatmapOverlay, maskToRgb8, planarToRgb8, upscale, type Rgb8 } from './render.js';
export { DEFAULTS, LIMITS, OptionError, afterPhrase, defaultMaskSize, resolveOptions, showValue, type ExplainOptions, type Game, type Perturbation, type ProgressEvent, type ResolvedOptions } from './options.js';

// ---- Saliency baselines and the evaluation ("does the mask point at the object?") ----
export { gradientSaliency } from './baselines/gradient.js';
export { occlusionSaliency, windowStarts, type OcclusionOptions } from './baselines/occlusion.js';
export { attentionRollout, hasAttention, type AttentionClassifier } from './baselines/rollout.js';
export { riseSaliency, riseMask, type RiseOptions } from './baselines/rise.js';
export { perturbationSaliency, saliencyOfExplanation, type PerturbationSaliencyOptions } from './baselines/perturbation.js';
export { maskedProbabilities, type SaliencyFn, type MaskedSample } from './baselines/saliency.js';
export {
  areaAboveHalf, centerOfMass, centroidHit, curve, curveImage, curveMask, insideBox, meanValue, peakPoint, pointingHit, salienceOrder, stepCounts,
  trapezoidAuc, TIE_TOLERANCE, type Box, type Curve, type CurveKind, type Point, type Scorer,
} from './eval/metrics.js';
export {
  evaluate, scaleBox, toMarkdownTable, METHODS, DEFAULT_METHODS, type EvalModel, type EvalProgress, type EvalResult, type EvaluateOptions,
  type ImageRecord, type MethodName, type MethodRecord, type MethodScores, type MethodSummary,
} from './eval/evaluate.js';
export { evalMarkdown, type EvalReportInput } from './eval/report.js';

// ---- Adversarial images: detection from the explanation, and de-noising (src/detect/README.md) ----
export {
  FEATURE_NAMES, GRID, explainFeatures, explainInBatches, explanationFeatures, logit, maskFeatures, poolMask,
  type ExplainedFeatures, type Explanation, type Features,
} from './detect/features.js';
export { fitLogistic, fitStandardizer, logisticLogits, logisticLoss, logisticProbabilities, standardize, type LogisticFit, type LogisticOptions, type Standardizer } from './detect/logistic.js';
export { rocAuc, rocCurve, youdenThreshold, type RocPoint } from './detect/roc.js';
export {
  DETECTOR_FORMAT, DETECTOR_VERSION, DetectorError, detectAdversarial, detectorScores, explainOptionsOf, parseDetector, serializeDetector,
  trainDetector, validateDetector, type DetectOptions, type Detection, type Detector, type DetectorErrorDetails, type TrainDetectorOptions,
} from './detect/detector.js';
export { deletionOptions, denoiseByDeletion, psnr } from './detect/denoise.js';
