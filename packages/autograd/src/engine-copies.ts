/**
 * Two copies of this package in one process or page (a bundle that maps
 * `@maskgrad/autograd` to its sources in one place and to its dist in
 * another) each keep their own Tensor class, default backend and scopes, and
 * a tensor of one copy fails in the ops of the other with an error about
 * backends that hides the cause. Every copy therefore signs a registry on
 * `globalThis` when it loads, and an op that meets a tensor it did not make
 * names the copies it finds there.
 */
const REGISTRY = Symbol.for('@maskgrad/autograd: loaded copies');

/** The copies loaded in this process or page, by where each was loaded from. */
const copies: string[] = ((globalThis as Record<symbol, string[] | undefined>)[REGISTRY] ??= []);
copies.push(import.meta.url);

/** Where this copy was loaded from. */
export const thisCopy = import.meta.url;

/** The error for a tensor that is not this copy's, when another copy is loaded; null when this is the only one. */
export function twoCopiesError(): Error | null {
  if (copies.length < 2) return null;
  return new Error(
    `two copies of @maskgrad/autograd are loaded: ${copies.join(' and ')}; a tensor made by one met the ops of the other. `
    + 'Bundle one copy: resolve @maskgrad/autograd (and @maskgrad/kernels) to one path in your bundler or package manager',
  );
}
