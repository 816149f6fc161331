/**
 * Build an ImageClassifier from checkpoint parts already in memory
 * (browser-safe): a parsed config and the safetensors bytes.
 */
import { checkpointKey, detectHfKeyLayout, type KeyLayout } from './checkpoint-keys.js';
import { ImageClassifier } from './classifier.js';
import type { ViTConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { VisionTransformer } from './layers/vit.js';
import type { StateDict } from './layers/module.js';
import type { Safetensors } from './safetensors.js';

export interface ModelOptions {
  /** Override the class names (length must equal the number of classes). */
  labels?: readonly string[];
}

/** Map the file's keys onto the model's parameters, strictly: nothing missing, nothing left over. */
export function stateDictFromCheckpoint(vit: VisionTransformer, st: Safetensors): { state: StateDict; layout: KeyLayout } {
  const layout: KeyLayout = vit.config.layout === 'timm' ? 'timm' : detectHfKeyLayout(st.tensors.keys());
  const state: StateDict = new Map();
  const used = new Set<string>();
  for (const [name, p] of vit.namedParameters()) {
    const key = checkpointKey(name, layout);
    const info = st.tensors.get(key);
    if (!info) {
      throw new CheckpointError({
        file: st.fileName, key, expected: `a tensor of shape [${p.shape.join(', ')}]`, found: 'no such key',
        hint: `the config describes a ${vit.config.numLayers}-layer ViT (${vit.config.layout} layout); check that the config matches the weights`,
      });
    }
    if (info.shape.length !== p.shape.length || info.shape.some((d, i) => d !== p.shape[i])) {
      throw new CheckpointError({
        file: st.fileName, key, expected: `shape [${p.shape.join(', ')}] (from the config)`, found: `shape [${info.shape.join(', ')}]`,
        hint: 'the config and the weights disagree',
      });
    }
    used.add(key);
    state.set(name, { shape: info.shape, data: st.read(key) });
  }
  for (const key of st.tensors.keys()) {
    if (!used.has(key)) {
      throw new CheckpointError({
        file: st.fileName, key, expected: 'only keys the ViT uses', found: 'an unexpected key',
        hint: 'this checkpoint has weights maskgrad\'s ViT does not have (a different architecture, or a config with too few layers)',
      });
    }
  }
  return { state, layout };
}

export function classifierFromCheckpoint(config: ViTConfig, st: Safetensors, opts: ModelOptions = {}): ImageClassifier {
  const vit = new VisionTransformer(config);
  const { state } = stateDictFromCheckpoint(vit, st);
  vit.loadStateDict(state, st.fileName);
  vit.freeze();
  return new ImageClassifier(vit, config, opts.labels);
}
