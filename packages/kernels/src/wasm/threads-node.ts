/**
 * Node only: the matmul tiles split across worker threads over one shared
 * WebAssembly.Memory. Each worker instantiates the same module on the same
 * memory and sleeps in Atomics.wait on its control word; a call writes the
 * arguments, wakes the workers, computes its own share of the column
 * panels on this thread, and waits for theirs. The hand-off is synchronous,
 * so the matmul stays a plain call (no queue, no promise) and small
 * products, below `minFlops`, never leave this thread.
 */
import { Worker } from 'node:worker_threads';
import { gemmModuleBytes, type GemmVariant } from './gemm-module.js';
import { LocalTiles, type TileRunner } from './gemm.js';

/** 64 KiB pages the shared memory may grow to (1 GiB; address space is reserved, not memory). */
const MAX_PAGES = 16384;

// control words per worker: [0] call number (−1: exit), [1] call number done, [2..8] tiles' arguments
const CALL = 0;
const DONE = 1;

const WORKER = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const tiles = new WebAssembly.Instance(module, { env: { memory } }).exports.tiles;
const c = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(c, ${CALL}, seen);
  seen = Atomics.load(c, ${CALL});
  if (seen < 0) break;
  tiles(c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10]);
  Atomics.store(c, ${DONE}, seen);
  Atomics.notify(c, ${DONE});
}`;

export class ThreadedTiles implements TileRunner {
  readonly memory: WebAssembly.Memory;
  readonly variant: GemmVariant;
  private readonly local: LocalTiles;
  private readonly workers: { worker: Worker; control: Int32Array }[] = [];
  private calls = 0;

  /** `threads` in all, this one included; products under `minFlops` per call run here alone. */
  constructor(variant: GemmVariant, readonly threads: number, readonly minFlops = 1 << 22) {
    this.variant = { ...variant, shared: true };
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true } as WebAssembly.MemoryDescriptor);
    const module = new WebAssembly.Module(gemmModuleBytes(this.variant, MAX_PAGES));
    this.local = new LocalTiles(this.variant, this.memory, module);
    for (let i = 1; i < threads; i++) {
      const control = new Int32Array(new SharedArrayBuffer(11 * 4));
      const worker = new Worker(WORKER, { eval: true, workerData: { module, memory: this.memory, control: control.buffer } });
      worker.unref(); // a sleeping worker must not keep the process alive
      this.workers.push({ worker, control });
    }
  }

  reserve(bytes: number): void {
    this.local.reserve(bytes);
  }

  run(a: number, b: number, c: number, rows: number, np: number, kc: number, ldc: number, acc: number): void {
    const flops = 2 * rows * this.variant.mr * np * 8 * kc;
    const parts = Math.min(this.threads, np, flops < this.minFlops ? 1 : this.threads);
    if (parts <= 1) {
      this.local.run(a, b, c, rows, np, kc, ldc, acc);
      return;
    }
    const call = ++this.calls;
    const bound = (t: number) => Math.round((np * t) / parts);
    for (let t = 1; t < parts; t++) {
      const { control } = this.workers[t - 1];
      control.set([a, b, c, rows, bound(t), bound(t + 1), kc, ldc, acc], 2);
      Atomics.store(control, CALL, call);
      Atomics.notify(control, CALL);
    }
    this.local.runPanels(a, b, c, rows, 0, bound(1), kc, ldc, acc);
    for (let t = 1; t < parts; t++) {
      const { control } = this.workers[t - 1];
      while (Atomics.load(control, DONE) !== call) Atomics.wait(control, DONE, Atomics.load(control, DONE));
    }
  }

  /** Stop the workers. */
  destroy(): void {
    for (const { worker, control } of this.workers) {
      Atomics.store(control, CALL, -1);
      Atomics.notify(control, CALL);
      void worker.terminate();
    }
    this.workers.length = 0;
  }
}
