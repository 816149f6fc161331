/**
 * Reverse-mode differentiation: order the recorded graph topologically,
 * then walk it backwards, each node handing its gradient to its inputs
 * through its op's backward rule (micrograd's `backward`, for tensors).
 *
 * The walk only queues kernels; nothing is read back. Rules run under
 * noGrad, so a rule that uses a tracked op records nothing.
 */
import { ones } from './create.js';
import { noGrad } from './grad-mode.js';
import * as U from './ops/untracked.js';
import type { BackwardOptions, Tensor } from './tensor.js';

export type { BackwardOptions };
import { keep } from './tidy.js';

/** Nodes reachable from `root` through inputs that require grad, inputs before outputs. */
export function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, done] = stack.pop()!;
    if (done) {
      order.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    if (t.disposed) {
      throw new Error(`backward(): the graph passes through a disposed tensor${t.name ? ` '${t.name}'` : ''} [${t.shape.join(', ')}] (disposed by dispose() or by the tidy() scope it was made in): call backward inside that scope, or return the tensors you need from it`);
    }
    visited.add(t);
    stack.push([t, true]);
    for (const input of t.gradFn?.inputs ?? []) {
      if (input.requiresGrad && !visited.has(input)) stack.push([input, false]);
    }
  }
  return order;
}


/** leaf.grad += g; the leaf owns its gradient (a tensor of its own, outliving any tidy scope). */
function accumulate(leaf: Tensor, g: Tensor): void {
  const sum = leaf.grad ? U.add(leaf.grad, g) : U.view(g, g.shape, g.strides, g.offset);
  leaf.grad?.dispose();
  leaf.grad = keep(sum);
}

/**
 * Accumulate d(root)/d(leaf) into `leaf.grad` for every leaf that requires
 * grad. `grad` defaults to 1 for a one-element root. Queues the kernels and
 * returns; `await tensor.backward()` is the public form.
 */
export function backwardSync(root: Tensor, grad?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error('backward(): this tensor does not require grad (no input had requiresGrad: true, or it was computed under noGrad)');
  }
  if (!grad && root.size !== 1) {
    throw new Error(`backward(): the tensor has shape [${root.shape.join(', ')}]; pass a gradient of that shape, or reduce it to one element first`);
  }
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, grad ?? ones(root.shape, { backend: root.backend }));
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      const g = grads.get(node);
      if (!g) continue;
      grads.delete(node); // free it as soon as it has been used
      if (!node.gradFn) {
        accumulate(node, g);
        continue;
      }
      const { inputs } = node.gradFn;
      const needs = inputs.map((t) => t.requiresGrad);
      const inputGrads = node.gradFn.backward(g, needs);
      inputs.forEach((input, k) => {
        const ig = inputGrads[k];
        if (!needs[k] || !ig) return;
        if (ig.shape.length !== input.shape.length || ig.shape.some((d, j) => d !== input.shape[j])) {
          throw new Error(`internal: ${node.gradFn!.name} returned a gradient of shape [${ig.shape.join(', ')}] for an input of shape [${input.shape.join(', ')}]`);
        }
        const prev = grads.get(input);
        grads.set(input, prev ? U.add(prev, ig) : ig);
      });
      if (!opts.retainGraph) node.gradFn = null;
    }
  });
}
