/**
 * Deterministic release of tensors (tfjs's tf.tidy): `tidy(fn)` disposes
 * every tensor made inside fn except those fn returns (a tensor, or an
 * array or plain object of them) and those passed to keep().
 *
 * Why it exists: on webgpu a tensor's values are device memory that the
 * garbage collector does not see, so a loop that makes thousands of
 * intermediate tensors per iteration (a forward pass, its backward, an
 * optimizer step) would hold them until some collection happens to run.
 * A garbage-collected tensor still frees its buffer (./tensor.ts), but
 * optimisation loops wrap each iteration in tidy() so device memory stays
 * flat whatever the collector does. On host backends it only drops
 * references early.
 *
 * fn must be synchronous: a tensor disposed while an await is pending
 * could still be needed. A disposed tensor cannot be read or used again,
 * and neither can a gradient graph that passes through one.
 */
import { closeScope, openScope, untrack } from './lifetimes.js';
import { Tensor } from './tensor.js';

function tensorsIn(value: unknown, out = new Set<Tensor>()): Set<Tensor> {
  if (value instanceof Tensor) out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => tensorsIn(v, out));
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    Object.values(value).forEach((v) => tensorsIn(v, out));
  }
  return out;
}

export function tidy<T>(fn: () => T): T {
  const scope = openScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(scope, []);
    for (const t of scope) t.dispose();
    throw e;
  }
  if (result instanceof Promise) {
    closeScope(scope, []);
    throw new Error('tidy(fn) takes a synchronous function (a tensor disposed during an await could still be in use); await outside it');
  }
  const survivors = tensorsIn(result);
  closeScope(scope, survivors);
  for (const t of scope) if (!survivors.has(t as Tensor)) t.dispose();
  return result;
}

/** Keep `t` alive past every open tidy() scope (optimizer state, gradients). Returns it. */
export function keep<T extends Tensor>(t: T): T {
  untrack(t);
  return t;
}
