// node bench/explain-fixture.mjs
// bench/run.mjs's two 64 px explanation rows alone, on webasm: the default explanation of disc.png
// (built-in model) and 300 iterations of the meaningful perturbation on the 64 px fixture model
// (PyTorch's reference settings, mask noise on). One run each, kernel compilation included.
import os from 'node:os';
import { setBackend } from '@maskgrad/autograd';
import { loadDefaultModel, loadModel, readImageFile } from '@maskgrad/models/node';
import { explain } from '@maskgrad/perturb';

await setBackend('webasm');
const timed = async (m, image, options) => { const t0 = performance.now(); await explain(m, image, options); return (performance.now() - t0) / 1000; };
const model = loadDefaultModel();
const x = model.resize(model.pixels(readImageFile(new URL('../examples/images/disc.png', import.meta.url).pathname)));
const fixtures = new URL('../tests/fixtures/', import.meta.url).pathname;
const hf = loadModel(`${fixtures}shapes-vit-hf`);
const img = hf.pixels([readImageFile(`${fixtures}shapes-vit-hf/images/img0.png`)]);
console.log(`default explanation of disc.png, 64 px: ${(await timed(model, x, {})).toFixed(2)} s`);
console.log(`300-iteration explanation, 64 px fixture model: ${(await timed(hf, img, { preset: 'classic', iterations: 300, maskNoise: 0.2 })).toFixed(2)} s`);
console.log(`${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`);
process.exit(0);
