/**
 * @maskgrad/models/node: the Node-only edge — reading checkpoints and
 * image files, writing PNGs.
 */
export * from './index.js';
export { checkModel, checkpointFiles, loadModel, readConfigFile, type LoadModelOptions } from './node/load-model.js';
export { downloadModel, hubFile, isHubId, parseHubId, resolveModel, type HubOptions } from './node/hub-download.js';
export { hubCacheDir, repoFolder, type HubRepo } from './node/hub-cache.js';
export { readSafetensorsFile, readSafetensorsHeaderFile } from './node/read-safetensors-file.js';
export { describeFileKind, openRegularFile, readExactly, readRegularFile, type FileBounds } from './node/read-file.js';
export { applyOrientation, jpegOrientation } from './node/exif-orientation.js';
export { decodeImage, readImageFile, encodePng, writePngFile } from './node/image-io.js';
export { saveModel, hfConfigJson, hfPreprocessorJson, type ModelToSave, type ExtraFiles } from './node/save-model.js';
export { defaultModelPath, loadDefaultModel } from './node/default-model.js';
