/**
 * The page's model: a checkpoint folder served over HTTP, or a Hub model (hub.ts), read as the
 * command line reads one: config.json (transformers' or timm's Hub config), transformers'
 * optional preprocessor_config.json, model.safetensors.
 */
import {
  classifierFromCheckpoint, isTimmHubConfig, parseHfConfig, parseSafetensors, parseTimmHubConfig, type ImageClassifier,
} from '@maskgrad/models';
import { hubReader, parseHubModel } from './hub.js';

/** Reads one file of the checkpoint: its bytes, or undefined for an optional file that is not there. */
type FileReader = (file: string, optional?: boolean) => Promise<Uint8Array | undefined>;

/** A folder served over HTTP. */
function folderReader(base: string): FileReader {
  const folder = base.endsWith('/') ? base : `${base}/`;
  return async (file, optional = false) => {
    const res = await fetch(`${folder}${file}`);
    if (res.status === 404 && optional) return undefined;
    if (!res.ok) throw new Error(`could not fetch ${folder}${file}: HTTP ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

const json = (bytes: Uint8Array | undefined): unknown => (bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes)));

/** config.json (transformers' or timm's Hub config), preprocessor_config.json for transformers models, the weights. */
export async function loadModel(source: string, hubEndpoint: string): Promise<ImageClassifier> {
  const hub = parseHubModel(source);
  const read: FileReader = hub ? await hubReader(hub, hubEndpoint) : folderReader(source);
  const config = json(await read('config.json'));
  const vit = isTimmHubConfig(config)
    ? parseTimmHubConfig(config, `${source} config.json`)
    : parseHfConfig(config, `${source} config.json`, json(await read('preprocessor_config.json', true)), `${source} preprocessor_config.json`);
  return classifierFromCheckpoint(vit, parseSafetensors((await read('model.safetensors'))!, `${source} model.safetensors`));
}
