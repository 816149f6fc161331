/**
 * Source generation for gpu.js kernels: literals, and the index arithmetic
 * that maps a flat output index to an element of a strided input view.
 */
import { coalesce, contiguousStrides, type View } from './shape.js';

/**
 * A float literal gpu.js parses as a float: always has a '.' or an exponent, and never spells
 * `Infinity` (not a literal in kernel source). The value is the float32 nearest to x, printed with
 * the 9 significant digits that identify it; ±Infinity and finite numbers beyond the float32 range
 * (1e300 rounds to Infinity in float32) saturate to ±3.4e38, the kernels' stand-in for infinity
 * (as in the reductions' initial values). NaN has no literal that parses everywhere (WGSL
 * rejects the constant 0.0 / 0.0): it is an error here, as options are validated before any kernel.
 */
export function lit(x: number): string {
  if (Number.isNaN(x)) throw new Error('internal: NaN reached kernel source; a number that can be NaN must be validated first');
  const f = Math.fround(x);
  if (f === Infinity) return '3.4e38';
  if (f === -Infinity) return '(-3.4e38)';
  let s = Math.abs(f).toPrecision(9);
  if (!/[.e]/.test(s)) s += '.0';
  return f < 0 || Object.is(f, -0) ? `(-${s})` : s;
}

/** An integer literal (for index arithmetic). */
export function int(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`internal: ${n} is not an integer`);
  return n < 0 ? `(${n})` : String(n);
}

export interface StridedRead {
  /** Statements that compute the index variables. */
  prelude: string;
  /** One index expression per input view. */
  index: string[];
}

/**
 * Index expressions that read each input view (already broadcast to `shape`)
 * at the element whose row-major position in `shape` is the variable `flat`.
 */
export function stridedIndex(shape: readonly number[], views: readonly View[], flat: string, prefix: string): StridedRead {
  const out = contiguousStrides(shape);
  const c = coalesce(shape, [out, ...views.map((v) => v.strides)]);
  const index = views.map((v, k) => {
    const strides = c.strides[k + 1];
    const isIdentity = strides.every((s, d) => s === c.strides[0][d]);
    if (isIdentity) return v.offset === 0 ? flat : `${flat} + ${int(v.offset)}`;
    return '';
  });
  if (index.every((e) => e !== '')) return { prelude: '', index };
  // decompose flat into coordinates along the coalesced axes (last fastest)
  const lines: string[] = [];
  const rank = c.shape.length;
  let q = flat;
  const coord: string[] = new Array(rank);
  for (let d = rank - 1; d >= 0; d--) {
    const dim = c.shape[d];
    if (d === 0) {
      coord[d] = q;
    } else {
      const qn = `${prefix}q${d}`;
      lines.push(`const ${qn} = Math.floor(${q} / ${int(dim)});`);
      lines.push(`const ${prefix}c${d} = ${q} - ${qn} * ${int(dim)};`);
      coord[d] = `${prefix}c${d}`;
      q = qn;
    }
  }
  views.forEach((v, k) => {
    if (index[k] !== '') return;
    const terms = [int(v.offset)];
    c.strides[k + 1].forEach((s, d) => {
      if (s !== 0) terms.push(s === 1 ? coord[d] : `${coord[d]} * ${int(s)}`);
    });
    index[k] = terms.join(' + ');
  });
  return { prelude: lines.join('\n  '), index };
}
