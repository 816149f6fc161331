/**
 * The HTML report of an explanation: one self-contained file (images
 * inline as data URIs, charts as inline SVG, no scripts, no network) with
 * the input, the parameters, the collage, the heatmap, the class
 * probability before and after, and the loss and probability curves.
 */
import { weakPerturbationNote, type ExplainResult } from './explain.js';
import { afterPhrase } from './options.js';
import { areaRule, describeOptions, methodTitle } from './describe.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** RFC 4648 base64 (browser-safe; no Buffer). */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A line chart of y against x as an SVG element string. */
export function lineChart(ys: readonly number[], opts: { title: string; color: string; yMin?: number; yMax?: number; id: string }): string {
  const w = 420, h = 180, l = 44, r = 10, t = 24, b = 28;
  const lo = opts.yMin ?? Math.min(...ys);
  const hi = opts.yMax ?? Math.max(...ys);
  const span = hi - lo || 1;
  const px = (i: number) => l + ((w - l - r) * i) / Math.max(1, ys.length - 1);
  const py = (v: number) => t + (h - t - b) * (1 - (v - lo) / span);
  const points = ys.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
  const tick = (v: number) => `<text x="${l - 6}" y="${py(v) + 4}" text-anchor="end">${v.toPrecision(3)}</text>`;
  return `<svg id="${opts.id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escape(opts.title)}">
  <text x="${l}" y="16" class="title">${escape(opts.title)}</text>
  <line x1="${l}" y1="${h - b}" x2="${w - r}" y2="${h - b}" class="axis"/><line x1="${l}" y1="${t}" x2="${l}" y2="${h - b}" class="axis"/>
  ${tick(lo)}${tick(hi)}
  <text x="${l}" y="${h - 8}">0</text><text x="${w - r}" y="${h - 8}" text-anchor="end">iteration ${ys.length - 1}</text>
  <polyline fill="none" stroke="${opts.color}" stroke-width="2" points="${points}"/>
</svg>`;
}

/**
 * The area sweep of an extremal explanation as an SVG: the class probability
 * with only each area's region kept (blue) and with it perturbed (red),
 * against the area; the dashed line is the rule's threshold and the ring
 * marks the reported area.
 */
export function areaChart(r: Pick<ExplainResult, 'areas' | 'chosenArea' | 'probabilityBefore' | 'options' | 'label'>): string {
  const areas = r.areas ?? [];
  if (areas.length === 0 || r.options.method !== 'extremal') return '';
  const w = 420, h = 200, l = 44, right = 14, t = 24, b = 34;
  const maxArea = Math.max(...areas.map((a) => a.area)) * 1.1;
  const px = (a: number) => l + ((w - l - right) * a) / maxArea;
  const py = (p: number) => t + (h - t - b) * (1 - p);
  const line = (key: 'probabilityKept' | 'probabilityDeleted', color: string) => `<polyline fill="none" stroke="${color}" stroke-width="2" points="${
    areas.map((a) => `${px(a.area).toFixed(1)},${py(a[key]).toFixed(1)}`).join(' ')}"/>${areas.map((a) => `<circle cx="${px(a.area).toFixed(1)}" cy="${py(a[key]).toFixed(1)}" r="3" fill="${color}"/>`).join('')}`;
  const share = r.options.keepShare;
  const threshold = (r.options.game === 'deletion' ? 1 - share : share) * r.probabilityBefore;
  const chosen = areas[r.chosenArea ?? 0];
  const chosenP = r.options.game === 'deletion' ? chosen.probabilityDeleted : chosen.probabilityKept;
  return `<svg id="area-chart" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="probability against area">
  <text x="${l}" y="16" class="title">p('${escape(r.label)}') against the mask's area</text>
  <line x1="${l}" y1="${h - b}" x2="${w - right}" y2="${h - b}" class="axis"/><line x1="${l}" y1="${t}" x2="${l}" y2="${h - b}" class="axis"/>
  <text x="${l - 6}" y="${py(0) + 4}" text-anchor="end">0</text><text x="${l - 6}" y="${py(1) + 4}" text-anchor="end">1</text>
  ${areas.map((a) => `<text x="${px(a.area).toFixed(1)}" y="${h - b + 14}" text-anchor="middle">${a.area}</text>`).join('')}
  <text x="${w - right}" y="${h - 4}" text-anchor="end">area (share of the image)</text>
  <line x1="${l}" y1="${py(threshold).toFixed(1)}" x2="${w - right}" y2="${py(threshold).toFixed(1)}" stroke="#888" stroke-dasharray="4 3"/>
  ${line('probabilityKept', '#2471a3')}${line('probabilityDeleted', '#c0392b')}
  <circle id="chosen-area" cx="${px(chosen.area).toFixed(1)}" cy="${py(chosenP).toFixed(1)}" r="7" fill="none" stroke="#222" stroke-width="2"/>
</svg>`;
}

export interface ReportInput {
  result: ExplainResult;
  /** PNG files by name (collage.png, heatmap.png, mask.png, perturbed.png, blurred.png, input.png). */
  pngs: Record<string, Uint8Array>;
  source?: string;
  model?: string;
}

export function reportHtml({ result: r, pngs, source, model }: ReportInput): string {
  const img = (name: string, alt: string) =>
    pngs[name] ? `<figure><img id="${name.replace('.png', '')}" alt="${escape(alt)}" src="data:image/png;base64,${base64(pngs[name])}"><figcaption>${escape(alt)}</figcaption></figure>` : '';
  const params = Object.entries(r.options)
    .map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(JSON.stringify(v))}</td></tr>`).join('\n');
  const loss = r.history.map((h) => h.loss);
  const prob = r.history.map((h) => h.probability);
  const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
  const note = weakPerturbationNote(r);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>maskgrad: why '${escape(r.label)}'?</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
figure { display: inline-block; margin: 0 12px 12px 0; } figure img { image-rendering: pixelated; max-width: 100%; }
#heatmap, #mask, #perturbed, #blurred { width: 224px; }
figcaption { color: #555; font-size: 12px; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 2px 12px 2px 0; }
.prob { font-size: 16px; } tr.chosen td { font-weight: 600; } .chart text { font-size: 11px; fill: #444; } .chart .title { font-weight: 600; } .chart .axis { stroke: #999; }
</style></head>
<body>
<h1>Why did the model say '${escape(r.label)}'?</h1>
<p>${source ? `Image <code>${escape(source)}</code>` : 'Image'}${model ? `, model <code>${escape(model)}</code>` : ''}. ${escape(methodTitle(r.options))}: ${escape(describeOptions(r.options))}.</p>
<p class="prob" id="probabilities">p('${escape(r.label)}') before: <b>${pct(r.probabilityBefore)}</b> &nbsp;→&nbsp; ${afterPhrase(r.options.game)}: <b>${pct(r.probabilityAfter)}</b>; the whole image perturbed: ${pct(r.probabilityPerturbed)}</p>${note === null ? '' : `\n<p id="note">Note: ${escape(note)}</p>`}
${img('collage.png', 'original | mask | saliency overlay | perturbed')}
${r.areas ? `<h2>Every area</h2>
<p id="area-rule">One mask per area, optimized together; an area that kept less than the next smaller one is optimized again from that smaller mask. Reported: ${escape(areaRule(r))}.</p>
${areaChart(r)}
${img('areas.png', `the masks of areas ${r.areas.map((a) => a.area).join(', ')}, smallest first`)}
<table id="area-table"><tr><th>area</th><th>p, only the region kept</th><th>p, the region perturbed</th></tr>
${r.areas.map((a, i) => `<tr${i === r.chosenArea ? ' class="chosen"' : ''}><td>${a.area}${i === r.chosenArea ? ' (reported)' : ''}${a.restarted ? ' (restarted from the smaller mask)' : ''}</td><td>${pct(a.probabilityKept)}</td><td>${pct(a.probabilityDeleted)}</td></tr>`).join('\n')}
</table>
${(r.sweep ?? []).map((n) => `<p class="sweep-note">Not monotone: ${escape(n.why)}.</p>`).join('\n')}` : ''}
<h2>Images</h2>
${img('heatmap.png', 'saliency over the image')}${img('mask.png', r.method === 'extremal' ? 'mask (white: the region found)' : 'mask (white kept, black perturbed)')}${img('perturbed.png', 'perturbed image Φ(x; M)')}${img('blurred.png', r.method === 'extremal' ? 'the strongest blur of the pyramid' : 'the perturbation P')}
<h2>Optimization</h2>
${lineChart(loss, { title: 'loss', color: '#c0392b', id: 'loss-curve' })}
${lineChart(prob, { title: `p('${r.label}')`, color: '#2471a3', yMin: 0, yMax: 1, id: 'probability-curve' })}
<h2>Parameters</h2>
<table id="parameters">
<tr><th>target</th><td>${r.target} (${escape(r.label)})</td></tr>
${params}
</table>
<h2>Backend</h2>
<p id="backend">Computed on <b>${escape(r.backend.name)}</b>: ${escape(r.backend.reason)}.</p>${r.backend.skipped.length ? `
<ul id="backends-skipped">${r.backend.skipped.map((b) => `<li>${escape(b.name)} was not used: ${escape(b.reason)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
