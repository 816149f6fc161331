/**
 * The rows a serious detector evaluation reports (Carlini & Wagner 2017; Tramèr et al. 2020),
 * for eval-adversarial.mjs: the shipped detector (trained on 10-step PGD at 8/255, threshold
 * calibrated on clean images) against attacks it was not trained on, and against an attacker
 * who knows it. Every attacked image is rounded to 8 bits and counts only if its label changed;
 * every score comes from a fresh explanation with the detector's own options.
 */
import {
  adaptiveAttack, attack, carliniWagnerL2, detectorScores, explainFeatures, lowFrequencyAttack, predict, quantize8, rocAuc,
} from '@maskgrad/perturb/node';

/** The attacks of the robustness table, each a function of (images, seed) → adversarial pixels (before rounding). */
export function strongAttacks(model, s) {
  const pgd = (e) => ({
    name: `PGD ${e}/255, ${s.pgdSteps} steps, ${s.restarts} restarts`, eps: e,
    run: async (x, seed) => (await attack(model, x, { eps: e / 255, steps: s.pgdSteps, stepSize: (2.5 * e) / 255 / s.pgdSteps, restarts: s.restarts, seed })).adversarial,
  });
  return [
    pgd(8), pgd(2),
    {
      name: `Carlini–Wagner L2 (tanh space, κ ${s.cwConfidence}, ${s.cwSearch} binary-search steps on c from 1, ${s.cwSteps} Adam steps each)`, eps: null,
      run: async (x) => (await carliniWagnerL2(model, x, { steps: s.cwSteps, searchSteps: s.cwSearch, confidence: s.cwConfidence })).adversarial,
    },
    ...[8, 2].map((e) => ({
      name: `low-frequency PGD ${e}/255 (8×8 → ${model.imageSize}×${model.imageSize} bilinear), ${s.pgdSteps} steps`, eps: e,
      run: async (x, seed) => (await lowFrequencyAttack(model, x, { eps: e / 255, resolution: 8, steps: s.pgdSteps, seed })).adversarial,
    })),
  ];
}

/** L2 and L∞ distance of two planes. */
function distances(a, b) {
  let l2 = 0, linf = 0;
  for (let j = 0; j < a.length; j++) {
    const d = Math.abs(a[j] - b[j]);
    l2 += d * d;
    linf = Math.max(linf, d);
  }
  return { l2: Math.sqrt(l2), linf };
}

/**
 * ctx: { model, stack, plane, batch, explainOptions, detector, timed, log,
 *        clean: { planes, labels, scores } (the test split's clean images), settings }
 */
export async function robustnessRows(ctx) {
  const { model, stack, plane, batch, explainOptions, detector: d, timed, log, clean, settings } = ctx;
  const planes = clean.planes.slice(0, settings.strongImages);
  const labels = clean.labels.slice(0, planes.length);
  const rows = [];
  for (const a of strongAttacks(model, settings)) {
    const adv = [];
    await timed('strong attacks', async () => {
      for (let s = 0; s < planes.length; s += batch) {
        const x = stack(planes.slice(s, s + batch));
        const q = await (await quantize8(await a.run(x, 7 + s))).data();
        for (let k = 0; k < x.shape[0]; k++) adv.push(q.slice(k * plane, (k + 1) * plane));
      }
    });
    const predicted = [];
    for (let s = 0; s < adv.length; s += batch) predicted.push(...(await predict(model, stack(adv.slice(s, s + batch)))));
    const won = adv.map((_, k) => k).filter((k) => predicted[k] !== labels[k]);
    let scores = [];
    if (won.length > 0) {
      const ex = await timed('explain', () => explainFeatures(model, stack(won.map((k) => adv[k])), explainOptions, batch));
      scores = detectorScores(d, ex.features);
    }
    const dist = won.map((k) => distances(adv[k], planes[k]));
    const median = (v) => (v.length === 0 ? NaN : [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]);
    const all = [...clean.scores, ...scores];
    const y = [...clean.scores.map(() => 0), ...scores.map(() => 1)];
    rows.push({
      attack: a.name, attacked: planes.length, succeeded: won.length, medianL2: median(dist.map((t) => t.l2)), maxLinf: Math.max(0, ...dist.map((t) => t.linf)),
      auc: won.length > 0 ? rocAuc(all, y) : NaN, tpr: won.length > 0 ? scores.filter((v) => v >= d.threshold).length / won.length : NaN,
    });
    log(`${a.name}: ${won.length}/${planes.length} succeeded; AUC ${rows.at(-1).auc.toFixed(3)}, TPR ${rows.at(-1).tpr.toFixed(3)} at the calibrated threshold`);
  }
  return rows;
}

/** The adaptive attacker on the first `adaptiveImages` test images, per ε: success (after 8-bit rounding) and undetected. */
export async function adaptiveRows(ctx) {
  const { model, stack, plane, batch, explainOptions, detector: d, timed, log, clean, settings } = ctx;
  const planes = clean.planes.slice(0, settings.adaptiveImages);
  const rows = [];
  for (const e of settings.adaptiveEps) {
    const adv = [];
    let explanations = 0;
    await timed('adaptive attack', async () => {
      for (let s = 0; s < planes.length; s += batch) {
        const r = await adaptiveAttack(model, d, stack(planes.slice(s, s + batch)), { eps: e / 255, steps: settings.adaptiveSteps, refresh: settings.adaptiveRefresh, batchSize: batch });
        explanations += r.explanations;
        const q = await (await quantize8(r.adversarial)).data();
        for (let k = 0; k < r.cleanLabels.length; k++) adv.push(q.slice(k * plane, (k + 1) * plane));
      }
    });
    const ex = await timed('explain', () => explainFeatures(model, stack(adv), explainOptions, batch));
    const scores = detectorScores(d, ex.features);
    const flipped = ex.results.map((r, k) => r.target !== clean.labels[k]);
    const undetected = flipped.filter((f, k) => f && scores[k] < d.threshold).length;
    const won = flipped.filter(Boolean).length;
    rows.push({ eps: e, attacked: planes.length, succeeded: won, undetected, detectedOfSucceeded: won - undetected, steps: settings.adaptiveSteps, refresh: settings.adaptiveRefresh, explanations });
    log(`adaptive ${e}/255: ${won}/${planes.length} succeeded, ${undetected} of them undetected`);
  }
  return rows;
}

/** The markdown lines of the two tables above (empty when a part was skipped with 0 images). */
export function robustnessMarkdown(robustness, adaptive, { share, f3 }) {
  return [
    ...(robustness.length === 0 ? [] : [
      `## Attacks the detector was not trained on (first ${robustness[0].attacked} test images; the shipped 8/255 detector)`,
      '',
      '| attack | success after 8-bit rounding | median L2 / max L∞ of the successes | ROC AUC vs the test clean images | TPR at the calibrated threshold |',
      '|---|---:|---:|---:|---:|',
      ...robustness.map((r) => `| ${r.attack} | ${share(r.succeeded, r.attacked)} | ${f3(r.medianL2)} / ${f3(r.maxLinf)} | **${f3(r.auc)}** | ${f3(r.tpr)} |`),
      '',
      `PGD: step 2.5·ε/steps; a restart runs only on the images no earlier run has fooled (the per-image best is kept). ` +
      'The TPR is measured at the threshold calibrated on clean images (above), i.e. at the stated false-positive rate.',
      '',
    ]),
    ...(adaptive.length === 0 ? [] : [
      `## Adaptive attacker (first ${adaptive[0].attacked} test images)`,
      '',
      '| ε | steps (explained afresh every) | explanations | attack success after 8-bit rounding | **succeeded and undetected** | detected, of the successes |',
      '|---|---:|---:|---:|---:|---:|',
      ...adaptive.map((r) => `| ${r.eps}/255 | ${r.steps} (${r.refresh}) | ${r.explanations} | ${share(r.succeeded, r.attacked)} | **${share(r.undetected, r.attacked)}** | ${share(r.detectedOfSucceeded, r.succeeded)} |`),
      '',
      'PGD on max(Z_y − max_{i≠y} Z_i, −2) + the detector\'s logit; the explanation\'s masks held fixed between fresh explanations (BPDA: ' +
      'the explainer\'s own Adam steps would need second derivatives). Per image the best explained iterate is kept; the verdict is a fresh explanation of the rounded image.',
      '',
    ]),
    '',
  ];
}
