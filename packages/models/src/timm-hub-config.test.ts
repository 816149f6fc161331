import { describe, expect, it } from 'vitest';
import { CheckpointError } from './errors.js';
import { parseTimmConfig } from './config.js';
import { isTimmHubConfig, parseTimmHubConfig, TIMM_ARCHITECTURES } from './timm-hub-config.js';

/** timm/vit_base_patch16_224.augreg2_in21k_ft_in1k's config.json, as timm writes it. */
const augreg2 = {
  architecture: 'vit_base_patch16_224', num_classes: 1000, num_features: 768, global_pool: 'token',
  pretrained_cfg: {
    tag: 'augreg2_in21k_ft_in1k', custom_load: false, input_size: [3, 224, 224], fixed_input_size: true, interpolation: 'bicubic',
    crop_pct: 0.9, crop_mode: 'center', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], num_classes: 1000, pool_size: null,
    first_conv: 'patch_embed.proj', classifier: 'head',
  },
};
const thrown = (f: () => unknown): CheckpointError => {
  try {
    f();
  } catch (e) {
    return e as CheckpointError;
  }
  throw new Error('expected an error');
};

describe('timm Hub config.json', () => {
  it('vit_base_patch16_224 gives ViT-B/16 and timm\'s eval preprocessing (short side to 248, bicubic, centre 224)', () => {
    expect(isTimmHubConfig(augreg2)).toBe(true);
    expect(isTimmHubConfig({ architectures: ['ViTForImageClassification'], model_type: 'vit' })).toBe(false);
    const c = parseTimmHubConfig(augreg2, 'config.json');
    expect(c).toMatchObject({
      layout: 'timm', imageSize: 224, patchSize: 16, hiddenSize: 768, numLayers: 12, numHeads: 12, mlpDim: 3072, qkvBias: true,
      globalPool: 'token', fcNorm: false, numClasses: 1000, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
      preprocessing: { resize: { kind: 'shortest-edge', edge: 248 }, resample: 'bicubic', crop: { width: 224, height: 224, offset: 'half-even' } },
    });
  });

  it('the table spells what a hand-written timm_config.json would (ViT-Tiny, DeiT-S, ViT-L/32 at 384, an in21k head)', () => {
    const same = (arch: string, ctor: Record<string, unknown>) => {
      const { preprocessing, ...fromHub } = parseTimmHubConfig({ architecture: arch, num_classes: 21843, pretrained_cfg: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } }, 'c');
      expect(preprocessing!.crop).toMatchObject({ width: ctor.img_size, height: ctor.img_size });
      expect(fromHub).toEqual(parseTimmConfig({ ...ctor, num_classes: 21843 }, 'c'));
    };
    same('vit_tiny_patch16_224', { img_size: 224, patch_size: 16, embed_dim: 192, depth: 12, num_heads: 3 });
    same('deit_small_patch16_224.fb_in1k', { img_size: 224, patch_size: 16, embed_dim: 384, depth: 12, num_heads: 6 });
    same('vit_large_patch32_384', { img_size: 384, patch_size: 32, embed_dim: 1024, depth: 24, num_heads: 16 });
    expect(Object.keys(TIMM_ARCHITECTURES)).toHaveLength(20);
  });

  it('global_pool avg turns on fc_norm; no pretrained_cfg means timm\'s defaults (crop_pct 0.875, ImageNet mean)', () => {
    const c = parseTimmHubConfig({ architecture: 'vit_small_patch16_224', num_classes: 10, global_pool: 'avg' }, 'c');
    expect(c).toMatchObject({ globalPool: 'avg', fcNorm: true, imageMean: [0.485, 0.456, 0.406], preprocessing: { resize: { edge: 256 } } });
  });

  it('refuses an architecture it cannot run, listing the ones it can; and model_args it does not follow', () => {
    const e = thrown(() => parseTimmHubConfig({ architecture: 'deit_base_distilled_patch16_224', num_classes: 1000 }, 'config.json'));
    expect(e.key).toBe('architecture');
    expect(e.message).toContain('vit_base_patch16_224, ');
    expect(e.message).toContain('deit_base_patch16_384');
    expect(thrown(() => parseTimmHubConfig({ ...augreg2, model_args: { dynamic_img_size: true } }, 'c')).key).toBe('model_args');
    expect(thrown(() => parseTimmHubConfig({ ...augreg2, model_args: { init_values: 1e-5 } }, 'c')).key).toBe('init_values');
    expect(thrown(() => parseTimmHubConfig({ ...augreg2, pretrained_cfg: { ...augreg2.pretrained_cfg, crop_mode: 'border' } }, 'c')).key).toBe('crop_mode');
    expect(thrown(() => parseTimmHubConfig({ ...augreg2, pretrained_cfg: { ...augreg2.pretrained_cfg, input_size: [3, 256, 256] } }, 'c')).key).toBe('input_size');
  });
});
