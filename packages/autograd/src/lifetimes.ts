/**
 * What ends a tensor's hold on its data besides dispose(): the tidy() scope it was made in, or the
 * garbage collector.
 *
 * The stack of open tidy() scopes (tidy() is in ./tensor.ts): every tensor made while a scope is
 * open is tracked by the innermost one, which disposes it when the scope closes unless it is
 * returned or kept. The collector: a tensor collected without being disposed gives its reference to
 * device data back (device memory is not the collector's to free), and is counted, so that memory
 * tests can say a loop left nothing to it. A lower file than ./tensor.ts, which imports it to
 * register each new tensor.
 */
import type { Backend, TensorData } from '@maskgrad/kernels';

export interface Disposable {
  dispose(): void;
}

const open: Set<Disposable>[] = [];

/** Called for every new tensor. */
export function track(t: Disposable): void {
  open[open.length - 1]?.add(t);
}

/** Take `t` out of every open scope: it outlives them all. */
export function untrack(t: Disposable): void {
  for (const scope of open) scope.delete(t);
}

export function openScope(): Set<Disposable> {
  const scope = new Set<Disposable>();
  open.push(scope);
  return scope;
}

/** Close the innermost scope (which must be `scope`); survivors move to the enclosing scope. */
export function closeScope(scope: Set<Disposable>, survivors: Iterable<Disposable>): void {
  if (open.pop() !== scope) throw new Error('internal: tidy() scopes closed out of order');
  for (const t of survivors) if (scope.has(t)) track(t);
}

let nextId = 0;

/** A new tensor's id: tensors are numbered in the order they are made. */
export function newTensorId(): number {
  return nextId++;
}

/**
 * A collected tensor gives its reference to device data back. Host arrays need no such help: the
 * collector frees them with the last tensor that holds them.
 */
const collected = new FinalizationRegistry<{ backend: Backend; data: TensorData; shape: readonly number[]; id: number }>(({ backend, data, shape, id }) => {
  collectorReleases.count++;
  if (id >= collectorReleases.from) collectorReleases.since++;
  collectorReleases.last = `[${shape.join(', ')}] from ${(data as { kernel?: string }).kernel ?? 'a host array'}`;
  backend.release(data);
});

/**
 * Device tensors the collector freed (never disposed), and the last one's shape and kernel: a loop
 * that disposes what it makes leaves none, so the memory tests count exactly whenever the collector
 * runs (STYLE.md, 17).
 */
export const collectorReleases = {
  count: 0,
  last: '',
  /** Of those, the ones made after mark() (earlier garbage, collected late, is not the run's). */
  since: 0,
  from: Infinity,
  /** Start counting `since` from the next tensor made. */
  mark(): void {
    this.from = nextId;
    this.since = 0;
  },
};

/** What the collector needs to know of a tensor to release its data and say which it was. */
interface Watched {
  readonly id: number;
  readonly shape: readonly number[];
  readonly backend: Backend;
}

/** Have the collector release `data` if `t` is collected without being disposed (device data only). */
export function watch(t: Watched, data: TensorData): void {
  if (t.backend.residency === 'device') collected.register(t, { backend: t.backend, data, shape: t.shape, id: t.id }, t);
}

/** `t` gave its data back itself (dispose(), assign()): nothing for the collector to do. */
export function unwatch(t: Watched): void {
  collected.unregister(t);
}
