/**
 * The class an explanation or an attack is for: a label of the model, or an index into its
 * labels (a number, or a string of digits as typed on a command line). The one place that reads
 * a target: explain, attack and the CLI's flags all go through resolveTarget.
 */
import { OptionError } from './option-checks.js';

export function resolveTarget(target: number | string, labels: readonly string[]): number {
  const last = labels.length - 1;
  let t: number;
  if (typeof target === 'string') {
    const byLabel = labels.indexOf(target);
    if (byLabel >= 0) return byLabel;
    const raw = target.trim();
    t = Number(raw);
    if (raw === '' || !Number.isInteger(t)) {
      const some = labels.slice(0, 8).map((l) => `'${l}'`).join(', ');
      const near = labels.find((l) => l.toLowerCase() === raw.toLowerCase());
      throw new OptionError('target', target,
        `one of this model's labels (${some}${labels.length > 8 ? ', ...' : ''})${near === undefined ? '' : `, such as '${near}'`} or a class index from 0 to ${last}`);
    }
  } else {
    t = target;
  }
  if (!Number.isInteger(t) || t < 0 || t > last) {
    throw new OptionError('target', target, `a class index from 0 to ${last} (this model has ${labels.length} classes) or one of its labels`);
  }
  return t;
}
