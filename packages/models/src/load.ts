/**
 * Build an ImageClassifier from checkpoint parts already in memory
 * (browser-safe): a parsed config and the safetensors bytes. The config is
 * checked against the header's tensor shapes before the model is built, and
 * every weight is checked to be finite as it is read.
 */
import type { Backend } from '@maskgrad/kernels';
import { checkpointKey, detectHfKeyLayout, type KeyLayout } from './checkpoint-keys.js';
import { ImageClassifier } from './classifier.js';
import type { ViTConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { VisionTransformer } from './layers/vit.js';
import type { StateDict } from './layers/module.js';
import { parameterShapes } from './parameter-shapes.js';
import type { Safetensors, SafetensorsHeader } from './safetensors.js';

export interface ModelOptions {
  /** Override the class names (length must equal the number of classes). */
  labels?: readonly string[];
  /** The backend the weights live on, and so every tensor the model makes (default: the default backend). */
  backend?: Backend;
}

/**
 * Check that the file holds exactly the tensors this config's ViT has, with
 * the same shapes: nothing missing, nothing left over. Reads only the header
 * and allocates nothing for the model, so a config that describes a far
 * larger model than the file fails on the first tensor the file lacks.
 */
export function checkCheckpointShapes(config: ViTConfig, header: Pick<SafetensorsHeader, 'fileName' | 'tensors'>): KeyLayout {
  const layout: KeyLayout = config.layout === 'timm' ? 'timm' : detectHfKeyLayout(header.tensors.keys());
  let matched = 0;
  for (const [name, shape] of parameterShapes(config)) {
    const key = checkpointKey(name, layout);
    const info = header.tensors.get(key);
    if (!info) {
      const layer = /^blocks\.(\d+)\./.exec(name);
      const hint = layer && Number(layer[1]) > 0
        ? `the config describes ${config.numLayers} layers but the weights stop before layer ${layer[1]}: fix the layer count (num_hidden_layers, or depth for timm)`
        : `the config describes a ${config.numLayers}-layer ViT (${config.layout} layout); check that the config matches the weights`;
      throw new CheckpointError({ file: header.fileName, key, expected: `a tensor of shape [${shape.join(', ')}]`, found: 'no such key', hint });
    }
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError({
        file: header.fileName, key, expected: `shape [${shape.join(', ')}] (from the config)`, found: `shape [${info.shape.join(', ')}]`,
        hint: 'the config and the weights disagree (image and patch size, width, MLP width, number of classes): fix the config',
      });
    }
    matched++;
  }
  if (matched !== header.tensors.size) {
    const expected = new Set<string>();
    for (const [name] of parameterShapes(config)) expected.add(checkpointKey(name, layout));
    const extra = [...header.tensors.keys()].find((k) => !expected.has(k))!;
    throw new CheckpointError({
      file: header.fileName, key: extra, expected: 'only keys the ViT uses', found: 'an unexpected key',
      hint: 'this checkpoint has weights maskgrad\'s ViT does not have (a different architecture, or a config with too few layers)',
    });
  }
  return layout;
}

/** The index and value of the first NaN or ±Infinity in `data`, and how many there are; null when all are finite. */
function firstNonFinite(data: Float32Array): { index: number; value: number; count: number } | null {
  let first = -1;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0 ? null : { index: first, value: data[first], count };
}

/** Map the file's keys onto the model's parameters, strictly, and read them (all finite). */
export function stateDictFromCheckpoint(vit: VisionTransformer, st: Safetensors): { state: StateDict; layout: KeyLayout } {
  const layout = checkCheckpointShapes(vit.config, st);
  const state: StateDict = new Map();
  for (const [name, p] of vit.namedParameters()) {
    const key = checkpointKey(name, layout);
    const data = st.read(key);
    const bad = firstNonFinite(data);
    if (bad) {
      throw new CheckpointError({
        file: st.fileName, key, expected: 'finite numbers',
        found: `${bad.value} at index ${bad.index}${bad.count > 1 ? ` (${bad.count} of its ${data.length} values are NaN or infinite)` : ''}`,
        hint: 'the weights are corrupt, or the training that wrote them diverged: export the checkpoint again from a good copy',
      });
    }
    state.set(name, { shape: [...p.shape], data });
  }
  return { state, layout };
}

export function classifierFromCheckpoint(config: ViTConfig, st: Safetensors, opts: ModelOptions = {}): ImageClassifier {
  checkCheckpointShapes(config, st); // before the model's memory is allocated
  const vit = new VisionTransformer(config, undefined, opts.backend);
  const { state } = stateDictFromCheckpoint(vit, st);
  vit.loadStateDict(state, st.fileName);
  vit.freeze();
  return new ImageClassifier(vit, config, opts.labels);
}
