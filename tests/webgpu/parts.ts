/**
 * The WebGPU suite's parts: each runs one part of maskgrad on the webgpu
 * backend and returns plain numbers; the test side asserts the tolerances
 * and compares with what webasm computes in Node. The same parts run in
 * headless Chromium (./suite.ts, driven by tests/webgpu.test.ts) and in
 * Node on Dawn (tests/webgpu-node.test.ts); only how fixture files are
 * read differs (`files`).
 */
import { backendReport, collectorReleases, getBackend, gradcheck, setBackend, tensor, type Tensor } from '@maskgrad/autograd';
import { createHostBackend, WebGPUBackend } from '@maskgrad/kernels';
import { classifierFromCheckpoint, parseHfConfig, parseSafetensors, parseTimmConfig, type ImageClassifier, type RgbImage } from '@maskgrad/models';
import { explainBatch, type ExplainOptions } from '@maskgrad/perturb';
import { GRADCHECK_TOLERANCE, gradcheckCases } from '../../packages/autograd/src/gradcheck-cases.js';
import { KERNEL_CASES, checkError } from '../../packages/kernels/src/kernel-cases.js';
import { tinyClassifier } from '../../packages/perturb/src/test-model.js';
import { cosine, maxAbs, maxAbsDiff } from '../compare.js';

/** Reads a fixture file by its path under tests/fixtures ("shapes-vit-hf/config.json"). */
export interface FixtureFiles {
  bytes(path: string): Promise<Uint8Array>;
  json(path: string): Promise<unknown>;
}

/** The suite's parts, reading fixtures through `files`. */
export function webgpuSuite(files: FixtureFiles) {
  const { bytes, json } = files;
  let backend: WebGPUBackend;
  let started: ReturnType<typeof init> | null = null;
  /**
   * Every part starts the backend itself, so any one can run alone, and
   * makes it current again (in Node the checks compute on webasm between parts).
   */
  const ready = async () => {
    const info = await (started ??= init());
    if (getBackend() !== backend) await setBackend(backend);
    return info;
  };

  /** The fixture models (tests/fixtures, served at /fixtures/): which config files each has. */
  const FIXTURES: Record<string, { timm: boolean; preprocessor: boolean }> = {
    'vit-tiny-hf-bf16': { timm: false, preprocessor: false },
    'vit-tiny-timm-f16': { timm: true, preprocessor: false },
    'shapes-vit-hf': { timm: false, preprocessor: true },
  };

  async function fixtureModel(name: string): Promise<ImageClassifier> {
    const base = `${name}/`;
    const { timm, preprocessor } = FIXTURES[name];
    const config = timm
      ? parseTimmConfig(await json(`${base}timm_config.json`), 'timm_config.json')
      : parseHfConfig(await json(`${base}config.json`), 'config.json', preprocessor ? await json(`${base}preprocessor_config.json`) : undefined);
    return classifierFromCheckpoint(config, parseSafetensors(await bytes(`${base}model.safetensors`), `${name}/model.safetensors`));
  }

  /**
   * A part frees what it made (the model's weights, its inputs): left to the garbage collector,
   * they would be collected during a later part's memory check and counted there as its leak.
   */
  function disposeAll(model: ImageClassifier, tensors: Tensor[]): void {
    for (const t of [...model.vit.parameters(), ...tensors]) t.dispose();
  }

  async function init(): Promise<{ backend: string; reason: string; adapter: string }> {
    const b = await setBackend('webgpu');
    if (!(b instanceof WebGPUBackend)) throw new Error(`expected the webgpu backend, got ${b.name}`);
    backend = b;
    return { backend: b.name, reason: backendReport(b).reason, adapter: b.adapterInfo };
  }

  /** Every kernel against its TypeScript reference. */
  async function kernels(): Promise<{ name: string; what: string; error: number; bound: number }[]> {
    await ready();
    const out = [];
    for (const kase of KERNEL_CASES) {
      for (const c of await kase.run(backend)) out.push({ name: kase.name, what: c.what, ...checkError(c) });
    }
    return out;
  }

  /** gradcheck of every differentiable op. */
  async function gradchecks(): Promise<{ name: string; ok: boolean; maxError: number; worst: unknown }[]> {
    await ready();
    const out = [];
    for (const [name, fn, inputs] of gradcheckCases(backend)) {
      const r = await gradcheck(fn, inputs, GRADCHECK_TOLERANCE);
      out.push({ name, ok: r.ok, maxError: r.maxError, worst: r.worst });
    }
    return out;
  }

  /** Logits and the target logit's input gradient against PyTorch's reference. */
  async function vitParity(name: string): Promise<{ logitsMaxDiff: number; gradCosine: number; gradMaxDiffOverMax: number; seconds: number }> {
    await ready();
    const t0 = performance.now();
    const model = await fixtureModel(name);
    const ref = parseSafetensors(await bytes(`${name}/reference.safetensors`), 'reference.safetensors');
    const target = Number(ref.metadata.target);
    const x = tensor(ref.read('pixel_values'), [1, 3, 224, 224], { requiresGrad: true });
    const logits = model.forward(x);
    const got = await logits.data();
    await logits.slice(1, target, target + 1).sum().backward();
    const g = await x.grad!.data();
    const gw = ref.read('grad_pixel_values_of_target_logit');
    disposeAll(model, [x, x.grad!, logits]);
    return {
      logitsMaxDiff: maxAbsDiff(got, ref.read('logits')),
      gradCosine: cosine(g, gw),
      gradMaxDiffOverMax: maxAbsDiff(g, gw) / maxAbs(gw),
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /** explainBatch on images given as 8-bit RGB (decoded by Node, so both sides see the same pixels). */
  async function explainImages(
    modelName: string, images: { width: number; height: number; data: number[] }[], options: ExplainOptions,
  ): Promise<{ masks: number[][]; histories: [number, number][][]; seconds: number; backend: string }> {
    await ready();
    const model = await fixtureModel(modelName);
    const rgb: RgbImage[] = images.map((im) => ({ width: im.width, height: im.height, data: Uint8Array.from(im.data) }));
    const t0 = performance.now();
    const pixels = model.pixels(rgb);
    const results = await explainBatch(model, pixels, options);
    disposeAll(model, [pixels]);
    return {
      masks: results.map((r) => Array.from(r.mask.values)),
      histories: results.map((r) => r.history.map((h): [number, number] => [h.loss, h.probability])),
      seconds: (performance.now() - t0) / 1000,
      backend: results[0].backend.name,
    };
  }

  let memoryInputs: { model: ReturnType<typeof tinyClassifier>; x: Tensor } | undefined;

  /**
   * Device memory over a long explanation: after each iteration, the live
   * tensor buffers (ours) and every buffer on the device (gpu.js's included).
   */
  async function memory(iterations: number, method: 'meaningful' | 'extremal' = 'meaningful'): Promise<{
    tensors: number[]; tensorBytes: number[]; device: number[]; deviceBytes: number[]; seconds: number; collected: number; lastCollected: string;
  }> {
    await ready();
    // one model and image for every call: nothing of an earlier call is left for the garbage collector to free during this one
    memoryInputs ??= (() => {
      const m = tinyClassifier();
      return { model: m, x: m.pixels([{ width: 8, height: 8, data: Uint8Array.from({ length: 192 }, (_, i) => (i * 37) % 256) }]) };
    })();
    const { model, x } = memoryInputs;
    const out = { tensors: [] as number[], tensorBytes: [] as number[], device: [] as number[], deviceBytes: [] as number[], seconds: 0, collected: 0, lastCollected: '' };
    const t0 = performance.now();
    collectorReleases.mark();
    const options: ExplainOptions = method === 'meaningful'
      ? { method, iterations, maskSize: 4, blurSigma: 1, maskNoise: 0.1 }
      : { method, iterations, areas: [0.1, 0.3], blurSigma: 1 };
    await explainBatch(model, x, {
      ...options, onProgress: () => {
        const t = backend.memory();
        const d = backend.deviceMemory();
        out.tensors.push(t.buffers);
        out.tensorBytes.push(t.bytes);
        out.device.push(d.buffers);
        out.deviceBytes.push(d.bytes);
      },
    });
    out.seconds = (performance.now() - t0) / 1000;
    out.collected = collectorReleases.since;
    out.lastCollected = collectorReleases.last;
    return out;
  }

  /** A kernel that fails to compile surfaces at the next await, naming the kernel; later work still runs. */
  async function failingKernel(): Promise<{ message: string; afterwards: number[] }> {
    await ready();
    const bad = backend.run({ name: 'broken [3]', source: 'function(a) { return undefinedFunction(a[this.thread.x]); }', output: 3, args: { a: 'Array' } }, [new Float32Array(3)]);
    let message = '';
    try {
      await backend.read(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    backend.release(bad);
    return { message, afterwards: Array.from(await tensor([1, 2, 3], { backend }).mul(2).data()) };
  }

  /**
   * The submission wrapper's ordering rule: one kernel called with three
   * different parameters before anything is submitted (each call must see
   * its own, not the last written), a host upload into a buffer a recorded
   * kernel reads, and what the calls cost.
   */
  async function ordering(): Promise<{ scaled: number[][]; counters: Record<string, number> }> {
    await ready();
    const spec = { name: 'scale [4]', source: 'function(a, s) { return a[this.thread.x] * s; }', output: 4, args: { a: 'Array', s: 'Float' } } as const;
    const zeros = backend.upload(new Float32Array(4));
    const warm = backend.run(spec, [zeros, 1]); // compiled before counting (a first call runs once compiled, later)
    await backend.read(warm);
    backend.release(warm);
    backend.release(zeros);
    await backend.flush();
    const before = backend.counters();
    const a = backend.upload(Float32Array.from([1, 2, 3, 4]));
    const outs = [2, 3, 5].map((k) => backend.run(spec, [a, k]));
    backend.release(a);
    const scaled = await Promise.all(outs.map(async (o) => Array.from(await backend.read(o))));
    outs.forEach((o) => backend.release(o));
    const after = backend.counters();
    return { scaled, counters: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]])) };
  }

  /** The public contract's edges on webgpu: synchronous reads refuse, backends do not mix, nothing fell back to cpu. */
  async function contract(): Promise<{ syncError: string; mixError: string; fallbacks: string[]; item: number }> {
    await ready();
    const t = tensor([1, 2, 3], { backend });
    const message = (fn: () => unknown) => {
      try {
        fn();
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    const host = createHostBackend('cpu');
    return {
      syncError: message(() => t.dataSync()),
      mixError: message(() => t.add(tensor([1, 2, 3], { backend: host }))),
      fallbacks: backend.fallbacks(),
      item: await t.sum().item(),
    };
  }

  /** Per-kernel device time (ms, kernels run one at a time) of an explanation, largest first. */
  async function profileExplain(
    modelName: string, images: { width: number; height: number; data: number[] }[], options: ExplainOptions,
  ): Promise<{ kernel: string; ms: number; calls: number }[]> {
    await ready();
    backend.profile = new Map();
    try {
      await explainImages(modelName, images, options);
      return [...backend.profile].map(([kernel, e]) => ({ kernel, ...e })).sort((a, b) => b.ms - a.ms);
    } finally {
      backend.profile = null;
    }
  }

  return { init: ready, kernels, gradchecks, vitParity, explainImages, memory, ordering, failingKernel, contract, profileExplain };
}

export type WebGPUSuite = ReturnType<typeof webgpuSuite>;
