/**
 * Node-only: load a ViT classifier from a checkpoint folder or file.
 *   folder with config.json (+ preprocessor_config.json) and model.safetensors → Hugging Face
 *   folder with timm_config.json and model.safetensors                         → timm
 *   folder with timm's Hub config.json (`architecture`) and model.safetensors  → timm
 *   a bare .safetensors file, with `config` naming either kind of config file
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ImageClassifier } from '../classifier.js';
import { parseHfConfig, parseTimmConfig, type ViTConfig } from '../config.js';
import { CheckpointError } from '../errors.js';
import { MAX_JSON_FILE_BYTES } from '../limits.js';
import { checkCheckpointShapes, classifierFromCheckpoint, type ModelOptions } from '../load.js';
import { isTimmHubConfig, parseTimmHubConfig } from '../timm-hub-config.js';
import { readRegularFile } from './read-file.js';
import { readSafetensorsFile, readSafetensorsHeaderFile } from './read-safetensors-file.js';

export interface LoadModelOptions extends ModelOptions {
  /** A config.json (Hugging Face) or timm_config.json (timm) for a bare .safetensors file. */
  config?: string;
}

function readJson(path: string): unknown {
  const text = readRegularFile(path, {
    what: 'a JSON config file', maxBytes: MAX_JSON_FILE_BYTES, error: (d) => new CheckpointError(d),
  }).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CheckpointError({ file: path, expected: 'valid JSON', found: (cause as Error).message, cause, hint: 'the file is corrupt or not a config' });
  }
}

/** Parse a config file of either kind, deciding by its name or its fields. */
export function readConfigFile(path: string): ViTConfig {
  const json = readJson(path);
  if (isTimmHubConfig(json)) return parseTimmHubConfig(json, path);
  const isTimm = basename(path) === 'timm_config.json' || (typeof json === 'object' && json !== null && 'embed_dim' in json);
  if (isTimm) return parseTimmConfig(json, path);
  const pre = join(dirname(path), 'preprocessor_config.json');
  return existsSync(pre) ? parseHfConfig(json, path, readJson(pre), pre) : parseHfConfig(json, path);
}

/** Where a checkpoint's weights and config are: a folder, or a bare .safetensors file with `config`. */
export function checkpointFiles(dirOrFile: string, config?: string): { weights: string; config: string } {
  if (!existsSync(dirOrFile)) {
    throw new CheckpointError({ file: dirOrFile, expected: 'a checkpoint folder or a .safetensors file', found: 'nothing at this path', hint: 'check the --model path' });
  }
  if (statSync(dirOrFile).isDirectory()) {
    const weights = join(dirOrFile, 'model.safetensors');
    if (!existsSync(weights)) {
      throw new CheckpointError({ file: dirOrFile, expected: 'a folder holding model.safetensors', found: 'no model.safetensors', hint: 'download the safetensors weights of the checkpoint (PyTorch .bin files are not read)' });
    }
    const candidates = config ? [config] : [join(dirOrFile, 'config.json'), join(dirOrFile, 'timm_config.json')];
    const found = candidates.find((p) => existsSync(p));
    if (!found) {
      throw new CheckpointError({ file: dirOrFile, expected: 'config.json (Hugging Face) or timm_config.json (timm)', found: 'neither', hint: 'add the config file that came with the weights, or pass --config' });
    }
    return { weights, config: found };
  }
  if (!config) {
    throw new CheckpointError({ file: dirOrFile, expected: 'a config for this bare .safetensors file', found: 'no config option', hint: 'pass --config path/to/config.json (or timm_config.json)' });
  }
  return { weights: dirOrFile, config };
}

/**
 * The checkpoint's config, checked against the tensor shapes in its weights' header (read
 * alone: cheap). Everything loadModel would refuse about the files is refused here, before the
 * weights are read and before any memory is allocated for the model.
 */
export function checkModel(dirOrFile: string, opts: Pick<LoadModelOptions, 'config'> = {}): ViTConfig {
  const files = checkpointFiles(dirOrFile, opts.config);
  const config = readConfigFile(files.config);
  checkCheckpointShapes(config, readSafetensorsHeaderFile(files.weights));
  return config;
}

export function loadModel(dirOrFile: string, opts: LoadModelOptions = {}): ImageClassifier {
  const config = checkModel(dirOrFile, opts);
  const { weights } = checkpointFiles(dirOrFile, opts.config);
  const classifier = classifierFromCheckpoint(config, readSafetensorsFile(weights), opts);
  classifier.source = weights;
  return classifier;
}

export type { ImageClassifier };
