/**
 * The recorded graph as Graphviz DOT: tensors as boxes (shape, name),
 * ops as ellipses, edges from inputs to the op to its output.
 */
import type { Tensor } from './tensor.js';

export function toDot(root: Tensor, title = 'maskgrad'): string {
  const lines = [`digraph "${title}" {`, '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];'];
  const seen = new Set<Tensor>();
  const stack = [root];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const label = `${t.name ? `${t.name}\\n` : ''}[${t.shape.join(', ')}]${t.requiresGrad && !t.gradFn ? '\\nrequiresGrad' : ''}`;
    lines.push(`  t${t.id} [shape=box, label="${label}"${t === root ? ', style=bold' : ''}];`);
    if (t.gradFn) {
      lines.push(`  op${t.id} [shape=ellipse, label="${t.gradFn.name}"];`);
      lines.push(`  op${t.id} -> t${t.id};`);
      for (const input of t.gradFn.inputs) {
        lines.push(`  t${input.id} -> op${t.id};`);
        stack.push(input);
      }
    }
  }
  lines.push('}');
  return lines.join('\n');
}
