// node bench/vitb-explain.mjs [--backend=webasm] [--threads=N] [--iterations=3]
// One ViT-B/16-shaped explanation with the shipped defaults (DEFAULTS: the extremal perturbation, its
// areas and game) in a process of its own, so its peak RSS is the explanation's. It runs a few
// iterations and projects the whole run: the time of the call plus the remaining iterations at the
// steady per-iteration time (iterations after the first, which compiles). Prints JSON, with the
// process's CPU time beside wall time: on a shared machine the CPU time of this one-thread run is
// what it would take on an idle one.
import { setBackend, tensor } from '@maskgrad/autograd';
import { useMatmulThreads } from '@maskgrad/kernels/node';
import { ImageClassifier } from '@maskgrad/models';
import { DEFAULTS, explain } from '@maskgrad/perturb';
import { BASE, randomVit, seededFloats } from './vit-configs.mjs';

const arg = (name, dflt) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const backend = await setBackend(arg('backend', 'webasm'));
const threads = backend.name === 'webasm' ? useMatmulThreads(Number(arg('threads', 1))) : 1;
const iterations = Number(arg('iterations', 3));
const classifier = new ImageClassifier(randomVit(BASE), BASE);
const image = tensor(seededFloats(3 * 224 * 224, 7, 0, 1), [1, 3, 224, 224]);
const stamps = [];
const cpuStamps = [];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const t0 = performance.now();
const c0 = cpu();
await explain(classifier, image, { iterations, target: 0, onProgress: () => { stamps.push(performance.now()); cpuStamps.push(cpu()); } });
const cpuSeconds = cpu() - c0;
const seconds = (performance.now() - t0) / 1000;
const steady = stamps.length > 2 ? (stamps[stamps.length - 1] - stamps[1]) / 1000 / (stamps.length - 2) : seconds / iterations;
const defaults = DEFAULTS.extremal.iterations;
console.log(JSON.stringify({
  backend: backend.name, threads, method: DEFAULTS.method, iterations, seconds, steady_s_per_iteration: steady,
  iteration_ends_s: stamps.map((t) => (t - t0) / 1000),
  cpu_s: cpuSeconds, iteration_ends_cpu_s: cpuStamps.map((c) => c - c0),
  default_iterations: defaults, projected_default_s: seconds + (defaults - iterations) * steady,
  peak_rss_gb: process.resourceUsage().maxRSS / 1024 / 1024,
}));
process.exit(0);
