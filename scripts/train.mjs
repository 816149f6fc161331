// npm run train [-- --train 48000 --epochs 4 --budget-min 33 --out DIR]
//   architecture: --patch 16 --hidden 64 --layers 4 --heads 4 --mlp-ratio 2 --layout hf|timm --pool token|avg
//   (--layout timm saves timm_config.json and timm key names; --pool avg is timm's global average pooling
//   with fc_norm, timm layout only); data: --difficulty 0,0.5 --train-seed 1001 --test-seed 2002; --seed 1
// Trains the built-in model: a small ViT on the procedural "shapes" task, from scratch, with
// maskgrad's own autodiff on the CPU. Generates a training set and a held-out test set (other
// seed), trains with AdamW + warm-up + cosine decay, measures accuracy on the 1000 test images and
// saves a Hugging Face checkpoint folder (packages/models/assets/shapes-vit) with training.json.
// It refuses to overwrite the model with one below --min-accuracy (default 0.95).
//
// Training and test images come from the same distribution, the task's default: each image's
// colour difficulty drawn from [0, 0.5] (0: a white object on plain dark grey; 0.5: random
// colours and textures blended halfway toward that). Without the easier images a ViT this small
// sits at chance for tens of thousands of images.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { getBackend } from '@maskgrad/autograd';
import {
  DEFAULT_DIFFICULTY, ImageClassifier, SHAPE_CLASSES, VisionTransformer, evaluateAccuracy, initViTWeights,
  makeShape, makeShapesDataset, mixSeed, saveModel, trainClassifier,
} from '@maskgrad/models/node';

const started = performance.now();
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? fallback : typeof fallback === 'number' ? Number(argv[i + 1]) : argv[i + 1];
};
const root = fileURLToPath(new URL('..', import.meta.url));

const hp = {
  seed: arg('seed', 1),
  trainSeed: arg('train-seed', 1001),
  testSeed: arg('test-seed', 2002),
  trainImages: arg('train', 48000),
  testImages: arg('test', 1000),
  difficulty: arg('difficulty', DEFAULT_DIFFICULTY.join(',')).split(',').map(Number),
  epochs: arg('epochs', 4),
  batchSize: arg('batch', 32),
  lr: arg('lr', 2e-3),
  weightDecay: arg('wd', 0.05),
  warmupSteps: arg('warmup', 200),
  schedule: 'cosine',
  minLr: arg('min-lr', 1e-5),
  hflip: true,
  timeBudgetMinutes: arg('budget-min', 33),
};
const layout = arg('layout', 'hf');
const globalPool = arg('pool', 'token');
const usage = (m) => { console.error(`train: ${m}`); process.exit(2); };
if (layout !== 'hf' && layout !== 'timm') usage(`--layout must be hf or timm, got '${layout}'`);
if (globalPool !== 'token' && globalPool !== 'avg') usage(`--pool must be token or avg, got '${globalPool}'`);
if (globalPool === 'avg' && layout !== 'timm') usage('--pool avg needs --layout timm (the Hugging Face ViT pools the class token)');
if (!(hp.difficulty.length === 2 && hp.difficulty.every((d) => d >= 0 && d <= 1) && hp.difficulty[0] <= hp.difficulty[1])) {
  usage(`--difficulty wants lo,hi with 0 ≤ lo ≤ hi ≤ 1, got '${hp.difficulty.join(',')}'`);
}
const config = {
  layout, imageSize: 64, patchSize: arg('patch', 16), numChannels: 3, hiddenSize: arg('hidden', 64),
  numLayers: arg('layers', 4), numHeads: arg('heads', 4), mlpDim: arg('mlp-ratio', 2) * arg('hidden', 64), qkvBias: true,
  layerNormEps: layout === 'timm' ? 1e-6 : 1e-12, hiddenAct: 'gelu', classToken: true, globalPool, fcNorm: globalPool === 'avg',
  numClasses: SHAPE_CLASSES.length, labels: [...SHAPE_CLASSES], imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
};
const outDir = arg('out', `${root}packages/models/assets/shapes-vit`);
const minAccuracy = arg('min-accuracy', 0.95);
const logEvery = arg('log-every', 25);

const fmtTime = (s) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`);
const log = (m) => console.log(`[${fmtTime((performance.now() - started) / 1000).padStart(7)}] ${m}`);

log(`backend ${getBackend().name}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
let t = performance.now();
// the training set as makeShapesDataset would draw it, keeping only images and labels (no masks)
const train = { images: [], labels: [] };
for (let i = 0; i < hp.trainImages; i++) {
  const label = i % SHAPE_CLASSES.length;
  train.images.push(makeShape(mixSeed(hp.trainSeed, i), { label, difficulty: hp.difficulty }).image);
  train.labels.push(label);
}
const test = makeShapesDataset(hp.testImages, hp.testSeed, { difficulty: hp.difficulty });
log(`generated ${train.images.length} training and ${test.length} test images in ${fmtTime((performance.now() - t) / 1000)}`);

const vit = new VisionTransformer(config);
initViTWeights(vit, hp.seed);
log(`ViT (${layout} layout, ${globalPool} pooling): image ${config.imageSize}, patch ${config.patchSize}, width ${config.hiddenSize}, ` +
  `${config.numLayers} layers, ${config.numHeads} heads, MLP ${config.mlpDim}: ${vit.parameterCount()} parameters`);

let window = [];
let windowStart = performance.now();
const result = await trainClassifier(vit, train, {
  epochs: hp.epochs, batchSize: hp.batchSize, lr: hp.lr, weightDecay: hp.weightDecay, seed: hp.seed,
  warmup: hp.warmupSteps, schedule: hp.schedule, minLr: hp.minLr, hflip: hp.hflip,
  timeBudgetMs: hp.timeBudgetMinutes * 60_000,
  onProgress: (p) => {
    window.push(p.loss);
    if (p.step % logEvery !== 0 && p.step !== p.steps) return;
    const now = performance.now();
    const rate = (window.length * hp.batchSize) / ((now - windowStart) / 1000);
    const eta = (p.elapsedMs / 1000) * (1 - p.progress) / p.progress;
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    log(`epoch ${p.epoch + 1}/${hp.epochs} step ${p.step}/${p.steps} (${(100 * p.progress).toFixed(1)}%) loss ${mean.toFixed(4)} lr ${p.lr.toExponential(2)} ` +
      `${rate.toFixed(1)} img/s ETA ${fmtTime(eta)}`);
    window = [];
    windowStart = now;
  },
});
const trainSeconds = result.elapsedMs / 1000;
const tail = result.losses.slice(-Math.min(100, result.losses.length));
const finalTrainLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
log(`trained ${result.steps} of ${result.plannedSteps} planned steps (${((result.steps * hp.batchSize) / hp.trainImages).toFixed(2)} epochs) in ${fmtTime(trainSeconds)}; mean loss of the last ${tail.length} batches ${finalTrainLoss.toFixed(4)}`);

vit.freeze();
const classifier = new ImageClassifier(vit, config, SHAPE_CLASSES);
t = performance.now();
const testAccuracy = await evaluateAccuracy(classifier, test.map((s) => s.image), test.map((s) => s.label), 100);
const trainAccuracy = await evaluateAccuracy(classifier, train.images.slice(0, 1000), train.labels.slice(0, 1000), 100);
log(`test accuracy ${(100 * testAccuracy).toFixed(1)}% on ${test.length} held-out images; ` +
  `${(100 * trainAccuracy).toFixed(1)}% on 1000 training images (${fmtTime((performance.now() - t) / 1000)})`);

const training = {
  command: ['npm run train', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  task: { generator: 'packages/models/src/data/shapes.ts makeShapesDataset', classes: [...SHAPE_CLASSES], imageSize: 64 },
  dataset: {
    train: hp.trainImages, trainSeed: hp.trainSeed, test: hp.testImages, testSeed: hp.testSeed,
    difficulty: hp.difficulty,
  },
  hyperParameters: { ...hp, optimizer: 'AdamW', loss: 'cross-entropy', init: 'truncated normal std 0.02 (transformers ViT)' },
  model: {
    layout, globalPool, imageSize: config.imageSize, patchSize: config.patchSize, hiddenSize: config.hiddenSize, numLayers: config.numLayers,
    numHeads: config.numHeads, mlpDim: config.mlpDim, parameters: vit.parameterCount(),
  },
  epochs: Number(((result.steps * hp.batchSize) / hp.trainImages).toFixed(3)),
  steps: result.steps,
  plannedSteps: result.plannedSteps,
  epochLosses: result.epochLosses.map((l) => Number(l.toFixed(5))),
  finalTrainLoss: Number(finalTrainLoss.toFixed(5)),
  testAccuracy,
  trainAccuracy1000: trainAccuracy,
  trainSeconds: Number(trainSeconds.toFixed(1)),
  wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  machine: {
    cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', platform: `${os.platform()} ${os.release()}`,
    node: process.version, backend: getBackend().name, loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  },
  date: new Date().toISOString(),
};

if (testAccuracy < minAccuracy) {
  // beside --out and named for this run: two runs at once must not replace each other's model
  const rejected = `${outDir.replace(/\/+$/, '')}.rejected-${process.pid}`;
  await saveModel(classifier, rejected, { 'training.json': training });
  log(`test accuracy ${testAccuracy} is below ${minAccuracy}: NOT replacing ${outDir}; saved to ${rejected} instead`);
  process.exit(1);
}
const saved = await saveModel(classifier, outDir, { 'training.json': training });
log(`saved ${saved} (wall time ${fmtTime((performance.now() - started) / 1000)})`);
