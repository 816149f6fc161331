/**
 * Checkpoint key names: for each parameter of our VisionTransformer
 * (dotted internal names), the key it has in each supported layout.
 *   hf  — transformers 5 ViTForImageClassification (vit.layers.N.attention.q_proj…)
 *   hf4 — transformers 4 (vit.encoder.layer.N.attention.attention.query…)
 *   timm — timm VisionTransformer (blocks.N.attn.qkv…)
 */
export type KeyLayout = 'hf' | 'hf4' | 'timm';

type Rule = [RegExp, string];

const HF: Rule[] = [
  [/^patchEmbed\.(weight|bias)$/, 'vit.embeddings.patch_embeddings.projection.$1'],
  [/^clsToken$/, 'vit.embeddings.cls_token'],
  [/^posEmbed$/, 'vit.embeddings.position_embeddings'],
  [/^blocks\.(\d+)\.norm1\.(weight|bias)$/, 'vit.layers.$1.layernorm_before.$2'],
  [/^blocks\.(\d+)\.norm2\.(weight|bias)$/, 'vit.layers.$1.layernorm_after.$2'],
  [/^blocks\.(\d+)\.attn\.([qkv])\.(weight|bias)$/, 'vit.layers.$1.attention.$2_proj.$3'],
  [/^blocks\.(\d+)\.attn\.proj\.(weight|bias)$/, 'vit.layers.$1.attention.o_proj.$2'],
  [/^blocks\.(\d+)\.mlp\.(fc1|fc2)\.(weight|bias)$/, 'vit.layers.$1.mlp.$2.$3'],
  [/^norm\.(weight|bias)$/, 'vit.layernorm.$1'],
  [/^head\.(weight|bias)$/, 'classifier.$1'],
];

const QKV4: Record<string, string> = { q: 'query', k: 'key', v: 'value' };

const HF4: Rule[] = [
  ...HF.slice(0, 3),
  [/^blocks\.(\d+)\.norm1\.(weight|bias)$/, 'vit.encoder.layer.$1.layernorm_before.$2'],
  [/^blocks\.(\d+)\.norm2\.(weight|bias)$/, 'vit.encoder.layer.$1.layernorm_after.$2'],
  [/^blocks\.(\d+)\.attn\.([qkv])\.(weight|bias)$/, 'vit.encoder.layer.$1.attention.attention.{$2}.$3'],
  [/^blocks\.(\d+)\.attn\.proj\.(weight|bias)$/, 'vit.encoder.layer.$1.attention.output.dense.$2'],
  [/^blocks\.(\d+)\.mlp\.fc1\.(weight|bias)$/, 'vit.encoder.layer.$1.intermediate.dense.$2'],
  [/^blocks\.(\d+)\.mlp\.fc2\.(weight|bias)$/, 'vit.encoder.layer.$1.output.dense.$2'],
  ...HF.slice(8),
];

const TIMM: Rule[] = [
  [/^patchEmbed\.(weight|bias)$/, 'patch_embed.proj.$1'],
  [/^clsToken$/, 'cls_token'],
  [/^posEmbed$/, 'pos_embed'],
  [/^fcNorm\.(weight|bias)$/, 'fc_norm.$1'],
  [/^(.*)$/, '$1'],
];

const RULES: Record<KeyLayout, Rule[]> = { hf: HF, hf4: HF4, timm: TIMM };

/** The checkpoint key of an internal parameter name in a layout. */
export function checkpointKey(name: string, layout: KeyLayout): string {
  for (const [re, template] of RULES[layout]) {
    if (re.test(name)) return name.replace(re, template).replace(/\{([qkv])\}/, (_, c: string) => QKV4[c]);
  }
  throw new Error(`internal: no ${layout} key for parameter ${name}`);
}

/** Which Hugging Face generation the keys come from. */
export function detectHfKeyLayout(keys: Iterable<string>): KeyLayout {
  for (const k of keys) if (k.startsWith('vit.encoder.layer.')) return 'hf4';
  return 'hf';
}
