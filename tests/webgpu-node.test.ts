/**
 * maskgrad on WebGPU in Node: Dawn (the 'webgpu' package) on Vulkan. On a
 * machine without a GPU that Vulkan driver is SwiftShader's, from Debian's
 * chromium package (VK_ICD_FILENAMES, set here when unset and the file is
 * there; .ci/run installs chromium and libvulkan1). The checks are those
 * the Chromium suite runs (tests/webgpu/checks.ts), on less work to keep
 * this file to a few minutes on 2 cores: one ViT fixture, the explainer
 * on 2 images for 10 iterations against webasm (Chromium compares 100
 * with PyTorch too: the same WGSL on the same Dawn), 60 and 40 iterations
 * for the memory checks.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe } from 'vitest';
import { SWIFTSHADER_ICD, closeNodeWebGPU } from '@maskgrad/kernels';
import { fixture } from './fixtures.js';
import { webgpuChecks, type SuiteCall } from './webgpu/checks.js';
import { webgpuSuite } from './webgpu/parts.js';

// before Dawn loads: the Vulkan loader reads it when Dawn creates its instance
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

const suite = webgpuSuite({
  bytes: async (path) => new Uint8Array(readFileSync(fixture(path))),
  json: async (path) => JSON.parse(readFileSync(fixture(path), 'utf8')) as unknown,
});

afterAll(() => closeNodeWebGPU());

describe('maskgrad on WebGPU (Node, Dawn on Vulkan)', () => {
  const call: SuiteCall = (part, ...args) => (suite[part] as (...a: unknown[]) => unknown)(...args) as never;
  webgpuChecks(call, {
    explainImages: [1, 6], explainIterations: 10, memoryIterations: 60, extremalMemoryIterations: 40, vitFixtures: ['vit-tiny-hf-bf16'],
  });
});
