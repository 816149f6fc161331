/**
 * The PyTorch reference explanation run of tests/fixtures/shapes-vit-hf
 * (perturb_config.json: deletion, 16×16 mask initialised to 1, blur σ 3,
 * Adam lr 0.1, 100 iterations, l1 0.01, tv 0.2 with β 3, no jitter), as
 * explain() options (what `preset: 'classic'` resolves to); the Node and WebGPU parity tests both use it.
 */
export const REFERENCE_RUN = { method: 'meaningful', game: 'deletion', maskSize: 16, blurSigma: 3, lr: 0.1, iterations: 100, l1: 0.01, tv: 0.2, tvBeta: 3, jitter: 0 } as const;

/** Tolerances against PyTorch's masks and per-iteration history (measured and set in the first session). */
export const REFERENCE_TOLERANCE = { maskMeanAbs: 0.01, maskPearson: 0.99, history: 0.01 };
