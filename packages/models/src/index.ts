/**
 * @maskgrad/models: Vision Transformer layers on @maskgrad/autograd, and
 * checkpoint loading (safetensors; Hugging Face and timm layouts).
 * Browser-safe; file and image I/O live in '@maskgrad/models/node'.
 */
export { Module, type StateDict, type StateEntry } from './layers/module.js';
export { Linear, Conv2d, LayerNorm } from './layers/linear.js';
export { Attention, type QkvLayout } from './layers/attention.js';
export { Block, Mlp, VisionTransformer } from './layers/vit.js';
export { ImageClassifier, labelsFor, type RgbImage } from './classifier.js';
export { resampleRgb8, PIL_RESAMPLE_BY_NUMBER, type ResampleFilter } from './resample.js';
export { defaultPreprocessing, inputGeometry, prepareImage, resizedSize, type InputGeometry, type Preprocessing } from './preprocess.js';
export { parseHfPreprocessing, parseTimmPretrainedCfg } from './preprocessing-config.js';
export { checkCheckpointShapes, classifierFromCheckpoint, stateDictFromCheckpoint, type ModelOptions } from './load.js';
export { parameterShapes } from './parameter-shapes.js';
export { checkpointKey, detectHfKeyLayout, type KeyLayout } from './checkpoint-keys.js';
export { parseHfConfig, parseTimmConfig, type ViTConfig, type HiddenAct } from './config.js';
export { isTimmHubConfig, parseTimmHubConfig, TIMM_ARCHITECTURES } from './timm-hub-config.js';
export {
  parseSafetensors, parseSafetensorsHeader, safetensorsHeaderLength, writeSafetensors,
  type Safetensors, type SafetensorsHeader, type SafetensorsTensorInfo, type SafetensorsWriteEntry,
} from './safetensors.js';
export {
  MAX_CHECKPOINT_FILE_BYTES, MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_JSON_FILE_BYTES, MAX_SAFETENSORS_HEADER_BYTES, formatBytes,
} from './limits.js';
export { CheckpointError, HubError, ImageError, NonFiniteError, formatFileError, type NonFiniteDetails, type NonFiniteNames } from './errors.js';
export { IMAGENET_LABELS } from './imagenet-labels.js';
export {
  DEFAULT_DIFFICULTY, SHAPE_CLASSES, SHAPE_VARIANTS, makeShape, makeShapesDataset, type ShapeClass, type ShapeOptions, type ShapeSample, type ShapeVariant,
} from './data/shapes.js';
export { mixSeed, mulberry32, type Random } from './data/prng.js';
export {
  evaluateAccuracy, initViTWeights, learningRate, trainClassifier,
  type LabelledImages, type TrainOptions, type TrainProgress, type TrainResult,
} from './train.js';
