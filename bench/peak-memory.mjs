// node bench/peak-memory.mjs [--backend=webasm-threads] [--json]
// Peak live tensor bytes of one forward + input gradient (the logit of class 7, backward to the
// pixels) of a ViT-Tiny- and a ViT-B/16-shaped model (random weights, bench/vit-configs.mjs), counted
// by the backend's own allocation/free accounting (backend.memory(): every result and upload while
// it lives, not RSS). Every backend counts since issue 19's data handle; before it, host backends
// (webasm, cpu) counted nothing and only the queued ones (webasm-threads, webgpu) could be measured.
// "weights" is what is live before the step
// (the model and nothing else); "peak" is the most live at once during it, weights included;
// "left" what is live after it, the input and its gradient disposed (weights again when nothing leaks).
import { setBackend, tensor, tidy } from '@maskgrad/autograd';
import { BASE, TINY, randomVit, seededFloats } from './vit-configs.mjs';

const MB = 1e6;

/** Peak live bytes of one forward + input gradient of `config` on `backend` (the current one). */
export async function peakLiveBytes(backend, config, target = 7) {
  const vit = randomVit(config);
  await backend.flush();
  const weights = backend.memory().bytes;
  backend.resetPeak();
  const x = tensor(seededFloats(3 * 224 * 224, 99), [1, 3, 224, 224], { requiresGrad: true });
  tidy(() => vit.forward(x).slice(1, target, target + 1).sum().backward());
  await x.grad.data();
  const peak = backend.memory().peakBytes;
  x.dispose();
  await backend.flush();
  const left = backend.memory().bytes;
  for (const p of vit.parameters()) p.dispose();
  return { weights_mb: weights / MB, peak_mb: peak / MB, above_weights_mb: (peak - weights) / MB, left_mb: left / MB };
}

/** Both models on `name`. */
export async function peakMemory(name) {
  const backend = await setBackend(name);
  return { backend: name, vit_tiny: await peakLiveBytes(backend, TINY), vit_b16: await peakLiveBytes(backend, BASE) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const name = args.find((a) => a.startsWith('--backend='))?.split('=')[1] ?? 'webasm-threads';
  const r = await peakMemory(name);
  if (args.includes('--json')) console.log(JSON.stringify(r));
  else {
    const f = (v) => v.toFixed(1);
    console.log(`| ${name}: live tensor MB (forward + input gradient) | weights | peak | peak − weights | left after |`);
    console.log('|---|---:|---:|---:|---:|');
    for (const [label, k] of [['ViT-Tiny', 'vit_tiny'], ['ViT-B/16', 'vit_b16']]) {
      const m = r[k];
      console.log(`| ${label} | ${f(m.weights_mb)} | ${f(m.peak_mb)} | ${f(m.above_weights_mb)} | ${f(m.left_mb)} |`);
    }
  }
  process.exit(0);
}
