/**
 * @maskgrad/perturb: explanations by extremal perturbation (Fong, Patrick &
 * Vedaldi, ICCV 2019; the default) and meaningful perturbation (Fong &
 * Vedaldi, ICCV 2017) on @maskgrad/autograd. Browser-safe; writing files
 * lives in '@maskgrad/perturb/node'.
 */
export { explain, explainBatch, weakPerturbationNote, type ExplainResult, type MaskImage } from './explain.js';
export { baselineOf, explainMeaningfulBatch } from './meaningful/meaningful.js';
export { iterate, type IterationPlan } from './iterate.js';
export { resolveTarget } from './target.js';
export { chooseArea, explainExtremalBatch, runExtremal, type AreaResult, type ExtremalRun } from './extremal/extremal.js';
export { reward } from './extremal/optimize.js';
export { SWEEP_TOLERANCE, sweepDrop, sweepNotes, type SweepNote } from './extremal/monotone.js';
export { maskBump, maskGeometry, maskSamples, maskWeights, smoothMask, MASK_COLDNESS, type MaskGeometry, type MaskWeights } from './extremal/mask-generator.js';
export { applyPyramid, blurPyramid, fullyPerturbed } from './extremal/pyramid.js';
export { areaPenalty, areaReference, areaSteps } from './extremal/area.js';
export { EXTREMAL_DEFAULTS, resolveExtremal } from './extremal/options.js';
export { areaRule, defaultsMarkdown, describeOptions, gamePhrase, methodTitle, presetSummary } from './describe.js';
export { objective, l1Term, tvTerm, composite, shift, targetProbability, meanPerImage, type Classifier, type ObjectiveInputs, type ObjectiveValue } from './objective.js';
export { gaussianBlur, gaussianTaps } from './blur.js';
export { attack, attackOutcome, predict, quantize8, resolveAttackOptions, type AttackOptions, type AttackResult } from './attack.js';
export { carliniWagnerL2, type CarliniWagnerOptions, type CarliniWagnerResult } from './attacks/cw.js';
export { lowFrequencyAttack, type LowFrequencyOptions } from './attacks/low-frequency.js';
export { areaChart, base64, lineChart, reportHtml, type ReportInput } from './report.js';
export { collage, stackRows, colormap, heatmapOverlay, maskToRgb8, planarToRgb8, upscale, type Rgb8 } from './render.js';
export {
  DEFAULTS, LIMITS, MEANINGFUL_DEFAULTS, METHOD_ONLY_OPTIONS, PRESETS, OptionError, afterPhrase, defaultMaskSize, methodOf, resolveMeaningful, resolveOptions, showValue, withPreset,
  type ExplainOptions, type ExtremalGame, type ExtremalOptions, type Game, type Method, type Perturbation, type PresetName, type ProgressEvent,
  type ResolvedExtremalOptions, type ResolvedMeaningfulOptions, type ResolvedOptions, type Reward,
} from './options.js';

// ---- Saliency baselines and the evaluation ("does the mask point at the object?") ----
export { gradientSaliency } from './baselines/gradient.js';
export { occlusionSaliency, windowStarts, type OcclusionOptions } from './baselines/occlusion.js';
export { attentionRollout, hasAttention, type AttentionClassifier } from './baselines/rollout.js';
export { riseSaliency, riseMask, type RiseOptions } from './baselines/rise.js';
export { perturbationSaliency, regionOfExplanation, saliencyOfExplanation, type PerturbationSaliencyOptions } from './baselines/perturbation.js';
export { maskedProbabilities, type SaliencyFn, type MaskedSample } from './baselines/saliency.js';
export {
  areaAboveHalf, borderShare, centerOfMass, centroidHit, curve, curveImage, curveMask, energyInBox, insideBox, meanValue, peakPoint, pointingHit, readable, readerRegion,
  salienceOrder, stepCounts, trapezoidAuc, READER_COVERAGE, READER_PRECISION, TIE_TOLERANCE,
  type Box, type Curve, type CurveKind, type Point, type ReaderRegion, type Scorer,
} from './eval/metrics.js';
export {
  evaluate, scaleBox, METHODS, DEFAULT_METHODS, PERTURBATION_METHODS, type EvalModel, type EvalProgress, type EvalResult, type EvaluateOptions,
  type ImageRecord, type MethodName, type MethodRecord, type MethodScores, type MethodSummary,
} from './eval/evaluate.js';
export { evalMarkdown, toMarkdownTable, METHOD_LABELS, type EvalReportInput } from './eval/report.js';

// ---- Adversarial images: detection from the explanation, and de-noising (src/detect/README.md) ----
export {
  FEATURE_NAMES, GRID, explainFeatures, explainInBatches, explanationFeatures, logit, maskFeatures, poolMask,
  type ExplainedFeatures, type Explanation, type Features,
} from './detect/features.js';
export { fitLogistic, fitStandardizer, logisticLogits, logisticLoss, logisticProbabilities, standardize, type LogisticFit, type LogisticOptions, type Standardizer } from './detect/logistic.js';
export { rocAuc, rocCurve, thresholdAtFalsePositiveRate, youdenThreshold, type RocPoint } from './detect/roc.js';
export {
  DETECTOR_FORMAT, DETECTOR_VERSION, DetectorError, describeCalibration, detectAdversarial, detectorScores, explainOptionsOf, parseDetector, serializeDetector,
  trainDetector, validateDetector, type Calibration, type DetectOptions, type Detection, type Detector, type DetectorErrorDetails, type TrainDetectorOptions,
} from './detect/detector.js';
export { deletionOptions, denoiseByDeletion, psnr } from './detect/denoise.js';
export { adaptiveAttack, type AdaptiveAttackOptions, type AdaptiveAttackResult } from './detect/adaptive.js';
export { photoSampling, renderOnPhoto, sampleOnPhoto, type PhotoSampling } from './photo-render.js';
