// node bench/vit-ratio.mjs [--rounds=3] [--vitb-rounds=1]
// maskgrad on webasm against tfjs-backend-wasm on the same ViTs (same weights): forward and forward +
// input gradient of ViT-Tiny and ViT-B/16, the two engines timed in turn inside each round, so a
// shared machine's load falls on both alike. Medians over rounds, after one warm-up each.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import { noGrad, setBackend, tensor, tidy } from '@maskgrad/autograd';
import { tfjsVit } from './vit-tfjs.mjs';
import { BASE, TINY, randomVit, seededFloats } from './vit-configs.mjs';

const arg = (name, dflt) => Number(process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
await setBackend('webasm');
await tf.setBackend('wasm');
await tf.ready();
const pixels = seededFloats(3 * 224 * 224, 99, -1, 1);
const target = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function compare(name, config, rounds) {
  const vit = randomVit(config);
  const model = tfjsVit(await vit.stateDict(), config);
  const xt = tf.tensor(pixels, [1, 3, 224, 224]);
  const gradFn = tf.grad((x) => model(x).slice([0, target], [1, 1]).sum());
  const runs = {
    'maskgrad forward': async () => { const y = tidy(() => noGrad(() => vit.forward(tensor(Float32Array.from(pixels), [1, 3, 224, 224])))); await y.data(); y.dispose(); },
    'tfjs forward': async () => { const y = tf.tidy(() => model(xt)); await y.data(); y.dispose(); },
    'maskgrad forward + input gradient': async () => {
      const x = tensor(Float32Array.from(pixels), [1, 3, 224, 224], { requiresGrad: true });
      tidy(() => vit.forward(x).slice(1, target, target + 1).sum().backward());
      await x.grad.data();
      x.dispose();
    },
    'tfjs forward + input gradient': async () => { const g = tf.tidy(() => gradFn(xt)); await g.data(); g.dispose(); },
  };
  const ms = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (const fn of Object.values(runs)) await fn();
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(runs)) { const t = performance.now(); await fn(); ms[k].push(performance.now() - t); }
  }
  const s = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v) / 1000]));
  console.log(`| ${name} forward | ${s['maskgrad forward'].toFixed(3)} | ${s['tfjs forward'].toFixed(3)} | ${(s['maskgrad forward'] / s['tfjs forward']).toFixed(2)} |`);
  console.log(`| ${name} forward + input gradient | ${s['maskgrad forward + input gradient'].toFixed(3)} | ${s['tfjs forward + input gradient'].toFixed(3)} | ${(s['maskgrad forward + input gradient'] / s['tfjs forward + input gradient']).toFixed(2)} |`);
}

console.log('| measure | maskgrad webasm (s) | tfjs-wasm (s) | ratio |\n|---|---:|---:|---:|');
await compare('ViT-Tiny', TINY, arg('rounds', 3));
await compare('ViT-B/16', BASE, arg('vitb-rounds', 1));
console.log(`\nmedians of interleaved rounds; ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`);
process.exit(0);
