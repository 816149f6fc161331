/**
 * Reverse-mode differentiation: order the recorded graph topologically,
 * then walk it backwards, each node handing its gradient to its inputs
 * through its op's backward rule (micrograd's `backward`, for tensors).
 *
 * Synchronous: the walk only queues kernels, nothing is read back, so there
 * is nothing to await (reading a gradient is: `await x.grad!.data()`).
 * Rules are written with ops/untracked.ts and run under noGrad; a rule that
 * calls a tracked op is an error (runRule, ./tensor.ts).
 *
 * Lifetimes (tfjs's gradient thunks in tidy, then disposed once summed):
 * each rule runs in its own tidy(), so its temporaries go when it returns;
 * a node's gradient is disposed as soon as its rule has handed it to the
 * inputs; a partial sum is disposed when a new one replaces it. What is
 * live during the walk is therefore the gradients of the nodes not yet
 * reached (the frontier), not every gradient of the graph. The pieces of
 * one unbind (a `joint`) are the exception: their gradients are held until
 * the last piece is reached, then joined by one concat (./ops/unbind.ts).
 */
import { ones } from './create.js';
import { noGrad } from './grad-mode.js';
import * as U from './ops/untracked.js';
import { keep, runRule, tidy, type Tensor } from './tensor.js';

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again. */
  retainGraph?: boolean;
}

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
 * For each unbind in the graph, its pieces' gradients as the walk reaches them, and how many of its
 * pieces in `order` are still to come (a piece with no gradient still counts as reached).
 */
function heldJoints(order: readonly Tensor[]): Map<object, { grads: (Tensor | null)[]; left: number }> {
  const joints = new Map<object, { grads: (Tensor | null)[]; left: number }>();
  for (const t of order) {
    const j = t.gradFn?.joint;
    if (!j) continue;
    const held = joints.get(j.id) ?? { grads: new Array<Tensor | null>(j.count).fill(null), left: 0 };
    held.left++;
    joints.set(j.id, held);
  }
  return joints;
}

/** A tensor of its own sharing `t`'s data (no copy): every gradient the walk holds is disposed exactly once. */
const own = (t: Tensor) => U.view(t, t.shape, t.strides, t.offset);

/**
 * Accumulate d(root)/d(leaf) into `leaf.grad` for every leaf that requires
 * grad. `grad` defaults to 1 for a one-element root (the caller's `grad` is
 * not disposed). Queues the kernels and returns: `root.backward()` calls it.
 */
export function backward(root: Tensor, grad?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error('backward(): this tensor does not require grad (no input had requiresGrad: true, or it was computed under noGrad)');
  }
  if (!grad && root.size !== 1) {
    throw new Error(`backward(): the tensor has shape [${root.shape.join(', ')}]; pass a gradient of that shape, or reduce it to one element first`);
  }
  const order = topologicalOrder(root);
  // each node's gradient so far (owned by the walk: disposed once handed on or replaced)
  const grads = new Map<Tensor, Tensor>();
  const joints = heldJoints(order);
  noGrad(() => {
    grads.set(root, grad ? own(grad) : ones(root.shape, { backend: root.backend }));
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      const joint = node.gradFn?.joint;
      let g = grads.get(node);
      grads.delete(node);
      if (joint) {
        // an unbind piece: hold its gradient until the last piece of its joint is reached
        const held = joints.get(joint.id)!;
        held.grads[joint.index] = g ?? null;
        if (--held.left > 0) {
          if (!opts.retainGraph) node.gradFn = null;
          continue;
        }
        g = held.grads.find((h) => h !== null) ?? undefined;
      }
      if (!g) continue;
      if (!node.gradFn) {
        accumulate(node, g);
        g.dispose();
        continue;
      }
      const { inputs, name } = node.gradFn;
      const needs = inputs.map((t) => t.requiresGrad);
      const held = joint ? joints.get(joint.id)!.grads : null;
      const rule = held ? () => [joint!.join(held)] : node.gradFn.backward;
      const inputGrads = tidy(() => runRule(name, () => rule(g, needs))); // the rule's temporaries go here
      const handed = new Set<Tensor>();
      inputs.forEach((input, k) => {
        let ig = inputGrads[k];
        if (!needs[k] || !ig) return;
        if (ig.shape.length !== input.shape.length || ig.shape.some((d, j) => d !== input.shape[j])) {
          throw new Error(`internal: ${name} returned a gradient of shape [${ig.shape.join(', ')}] for an input of shape [${input.shape.join(', ')}]`);
        }
        // a rule may pass g on as it is (add, contiguous) or give one tensor to two inputs
        if (ig === g || handed.has(ig)) ig = own(ig);
        handed.add(ig);
        const prev = grads.get(input);
        if (prev) {
          grads.set(input, U.add(prev, ig));
          prev.dispose(); // the partial sum it replaces
          ig.dispose();
        } else {
          grads.set(input, ig);
        }
      });
      g.dispose(); // handed to the inputs: this node's gradient is done
      held?.forEach((h) => h !== g && h?.dispose()); // the joint's other pieces' gradients
      if (!opts.retainGraph) node.gradFn = null;
    }
  });
}

/** `loss.backward()`: the walk above as a method of Tensor (registered with the ops' methods by ./methods.ts). */
export const backwardMethods = {
  /**
   * Accumulate gradients into every leaf that requires grad. Synchronous: it queues kernels and
   * returns; reading a gradient is what is awaited (`await x.grad!.data()`).
   */
  backward(this: Tensor, grad?: Tensor, opts?: BackwardOptions): void { backward(this, grad, opts); },
};
