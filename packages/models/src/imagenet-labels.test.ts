import { describe, it, expect } from 'vitest';
import { IMAGENET_LABELS } from './imagenet-labels.js';

describe('IMAGENET_LABELS', () => {
  it('has the 1000 ILSVRC-2012 classes in torchvision/timm index order', () => {
    expect(IMAGENET_LABELS).toHaveLength(1000);
    const spotChecks: Record<number, string> = {
      0: 'tench', 1: 'goldfish', 2: 'great white shark', 151: 'Chihuahua', 207: 'golden retriever',
      281: 'tabby', 285: 'Egyptian cat', 291: 'lion', 409: 'analog clock', 417: 'balloon',
      504: 'coffee mug', 817: 'sports car', 950: 'orange', 954: 'banana', 999: 'toilet tissue',
    };
    for (const [i, name] of Object.entries(spotChecks)) expect(IMAGENET_LABELS[Number(i)]).toBe(name);
  });

  it('holds trimmed, non-empty names, duplicated only where WordNet lemmas collide', () => {
    for (const name of IMAGENET_LABELS) expect(name).toMatch(/^\S(.*\S)?$/);
    const seen = new Map<string, number[]>();
    IMAGENET_LABELS.forEach((name, i) => seen.set(name, [...(seen.get(name) ?? []), i]));
    const duplicates = [...seen].filter(([, at]) => at.length > 1);
    expect(duplicates).toEqual([['crane', [134, 517]], ['maillot', [638, 639]]]);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(IMAGENET_LABELS)).toBe(true);
  });
});
