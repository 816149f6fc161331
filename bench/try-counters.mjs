import { setBackend } from '@maskgrad/autograd';
import { closeNodeWebGPU } from '@maskgrad/kernels';
import { loadDefaultModel, readImageFile } from '@maskgrad/models/node';
import { countersPerIteration } from './webgpu-counters.mjs';
const backend = await setBackend('webgpu');
const model = loadDefaultModel();
const x = model.resize(model.pixels(readImageFile(new URL('../examples/images/disc.png', import.meta.url).pathname)));
console.log(JSON.stringify(await countersPerIteration(backend, model, x, {})));
closeNodeWebGPU();
