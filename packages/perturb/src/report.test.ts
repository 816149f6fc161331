import { describe, expect, it } from 'vitest';
import { base64, lineChart, reportHtml } from './report.js';
import type { ExplainResult } from './explain.js';
import { DEFAULTS, resolveOptions } from './options.js';

describe('report.html', () => {
  it('base64 matches the standard encoding, with padding', () => {
    const enc = (s: string) => base64(new TextEncoder().encode(s));
    expect(enc('')).toBe('');
    expect(enc('f')).toBe('Zg==');
    expect(enc('fo')).toBe('Zm8=');
    expect(enc('foo')).toBe('Zm9v');
    expect(enc('foobar!')).toBe('Zm9vYmFyIQ==');
    expect(base64(Uint8Array.from([255, 254, 253]))).toBe('//79');
  });

  it('draws a polyline with one point per iteration', () => {
    const svg = lineChart([1, 0.5, 0.25], { title: 'loss', color: 'red', id: 'c' });
    expect(svg.match(/points="([^"]+)"/)![1].split(' ')).toHaveLength(3);
  });

  it('is one self-contained page: images inline, curves, probabilities, parameters, escaped text', () => {
    const r: ExplainResult = {
      method: 'meaningful',
      mask: { width: 2, height: 2, values: new Float32Array(4) },
      upsampledMask: { width: 4, height: 4, values: new Float32Array(16) },
      target: 1, label: '<b>cat</b>', probabilityBefore: 0.9, probabilityAfter: 0.1, probabilityPerturbed: 0.05,
      history: [{ iteration: 0, loss: 1, probability: 0.9 }, { iteration: 1, loss: 0.5, probability: 0.1 }],
      options: resolveOptions({ method: 'meaningful' }, 64), perturbed: new Float32Array(48), baseline: new Float32Array(48),
      backend: { name: 'webasm', reason: 'WebAssembly with f32x4 SIMD', skipped: [{ name: 'webgpu', reason: 'no <adapter>' }] },
    };
    const png = Uint8Array.from([137, 80, 78, 71]);
    const html = reportHtml({ result: r, pngs: { 'collage.png': png, 'heatmap.png': png }, source: 'a.png', model: 'm' });
    expect(html).toContain('src="data:image/png;base64,iVBORw=="');
    expect(html).not.toMatch(/src="(?!data:)/); // nothing loaded from elsewhere
    expect(html).not.toContain('<script');
    expect(html).toContain('id="loss-curve"');
    expect(html).toContain('id="probability-curve"');
    expect(html).toContain('90.0%');
    expect(html).toContain('10.0%');
    expect(html).toContain('&#60;b&#62;cat&#60;/b&#62;');
    expect(html).not.toContain('<b>cat</b>');
    expect(html).toContain(`<th>iterations</th><td>${DEFAULTS.meaningful.iterations}</td>`);
    expect(html).not.toContain('id="area-chart"');
    expect(html).toContain('the whole image perturbed: 5.0%');
    expect(html).not.toContain('id="note"'); // the perturbation removed the evidence
    expect(html).toContain('Computed on <b>webasm</b>: WebAssembly with f32x4 SIMD.');
    expect(html).toContain('<li>webgpu was not used: no &#60;adapter&#62;</li>');
    const weak = reportHtml({ result: { ...r, probabilityPerturbed: 0.6 }, pngs: {}, source: 'a.png' });
    expect(weak).toMatch(/id="note">Note: the whole image blurred with σ 1\.5 px still scores &#39;&#60;b&#62;cat&#60;\/b&#62;&#39; at p=0\.600, more than half of the original image&#39;s p=0\.900/);
  });

  it('an extremal result shows every area: the probability against the area, the reported one, the rule', () => {
    const mask = { width: 2, height: 2, values: new Float32Array(4) };
    const up = { width: 4, height: 4, values: new Float32Array(16) };
    const area = (a: number, kept: number, deleted: number) => ({ area: a, probabilityKept: kept, probabilityDeleted: deleted, mask, upsampledMask: up, history: [], restarted: false });
    const r: ExplainResult = {
      method: 'extremal', mask, upsampledMask: up, target: 0, label: 'disc', probabilityBefore: 1, probabilityAfter: 0.95, probabilityPerturbed: 0.1,
      history: [{ iteration: 0, loss: 1, probability: 0.9 }], options: resolveOptions({}, 64), perturbed: new Float32Array(48), baseline: new Float32Array(48),
      backend: { name: 'webasm', reason: 'WebAssembly with f32x4 SIMD', skipped: [] },
      areas: [area(0.05, 0.4, 0.9), area(0.1, 0.95, 0.2), area(0.2, 0.99, 0.01)], chosenArea: 1,
    };
    const html = reportHtml({ result: r, pngs: {} });
    expect(html).toContain('id="area-chart"');
    expect(html).toMatch(/<tr class="chosen"><td>0\.1 \(reported\)<\/td><td>95\.0%<\/td><td>20\.0%<\/td><\/tr>/);
    expect(html).toContain(`keeps ${Math.round(100 * DEFAULTS.extremal.keepShare)}% of the original p = 1.000`);
    expect(html).toContain(`<th>iterations</th><td>${DEFAULTS.extremal.iterations}</td>`);
    expect(html).toContain('extremal perturbation (Fong, Patrick &#38; Vedaldi, ICCV 2019)');
    // two polylines (kept, deleted) of three points each; the ring on the reported area's kept probability
    const chart = html.slice(html.indexOf('<svg id="area-chart"'), html.indexOf('</svg>', html.indexOf('<svg id="area-chart"')));
    const lines = [...chart.matchAll(/<polyline fill="none" stroke="#(2471a3|c0392b)" stroke-width="2" points="([^"]+)"/g)];
    expect(lines.map((m) => m[2].split(' ').length)).toEqual([3, 3]);
    const ring = /id="chosen-area" cx="([\d.]+)" cy="([\d.]+)"/.exec(html)!;
    expect(lines[0][2].split(' ')[1]).toBe(`${ring[1]},${ring[2]}`);
  });
});
