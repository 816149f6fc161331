// node bench/profile-vit.mjs [--model=base|tiny] [--threads=N] [--top=15]
// Per-kernel profile (backend.profile) of one forward + input gradient of a ViT-B/16- (or ViT-Tiny-)
// shaped model on webasm, after a warm-up: time by kernel family (the first word of its name),
// largest first, each family's share, then the slowest single kernels. Says where the time of an explanation's step goes.
import { setBackend, tensor, tidy } from '@maskgrad/autograd';
import { useMatmulThreads } from '@maskgrad/kernels/node';
import { BASE, TINY, randomVit, seededFloats } from './vit-configs.mjs';

const arg = (name, dflt) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const backend = await setBackend('webasm');
const threads = useMatmulThreads(Number(arg('threads', 1)));
const config = arg('model', 'base') === 'base' ? BASE : TINY;
const vit = randomVit(config);
const pixels = seededFloats(3 * 224 * 224, 99, -1, 1);
const step = async () => {
  const x = tensor(Float32Array.from(pixels), [1, 3, 224, 224], { requiresGrad: true });
  tidy(() => vit.forward(x).slice(1, 7, 8).sum().backward());
  await x.grad.data();
  x.dispose();
};
await step();
backend.profile = new Map();
const t0 = performance.now();
await step();
const wall = performance.now() - t0;
const families = new Map();
for (const [name, { ms, calls }] of backend.profile) {
  const family = name.split(' ')[0];
  const f = families.get(family) ?? { ms: 0, calls: 0 };
  f.ms += ms;
  f.calls += calls;
  families.set(family, f);
}
const total = [...families.values()].reduce((t, f) => t + f.ms, 0);
console.log(`| kernel | ms | calls | share of kernel time |\n|---|---:|---:|---:|`);
for (const [family, f] of [...families].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(arg('top', 15)))) {
  console.log(`| ${family} | ${f.ms.toFixed(1)} | ${f.calls} | ${((100 * f.ms) / total).toFixed(1)}% |`);
}
console.log(`\n| kernel | ms | calls |\n|---|---:|---:|`);
for (const [name, f] of [...backend.profile].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) console.log(`| ${name} | ${f.ms.toFixed(1)} | ${f.calls} |`);
console.log(`\n${config === BASE ? 'ViT-B/16' : 'ViT-Tiny'} forward + input gradient on webasm, ${threads} thread(s): ${wall.toFixed(0)} ms wall, ${total.toFixed(0)} ms in kernels`);
process.exit(0);
