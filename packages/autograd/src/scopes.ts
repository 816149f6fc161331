/**
 * The stack of open tidy() scopes (./tidy.ts). Every tensor made while a
 * scope is open is tracked by the innermost one, which disposes it when the
 * scope closes unless it is returned or kept. Kept separate from tidy.ts so
 * that tensor.ts can register itself without importing what imports it.
 */
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
