import { afterEach, describe, expect, it } from 'vitest';
import { noAdapterReason } from './node-webgpu.js';
import { adapterName, describeAdapter, softwareSkipReason } from './webgpu-adapter.js';

describe('WebGPU adapters: named, and software ones told apart', () => {
  it.each([
    [{ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }, 'swiftshader'],
    [{ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, 'llvmpipe'],
    [{ vendor: 'mesa', device: 'lavapipe' }, 'lavapipe'],
  ])('%j is a software adapter (%s)', (info, name) => {
    const d = describeAdapter({ info });
    expect(d.software).toContain(name);
    expect(softwareSkipReason(d)).toMatch(/auto skips it, --backend webgpu uses it/);
  });

  it('isFallbackAdapter marks one too, on the info (Dawn, Chrome ≥ 121) or the adapter (older Chrome)', () => {
    expect(describeAdapter({ info: { vendor: 'acme', isFallbackAdapter: true } }).software).toMatch(/fallback/);
    expect(describeAdapter({ info: { vendor: 'acme' }, isFallbackAdapter: true }).software).toMatch(/fallback/);
  });

  it('a GPU is a hardware adapter, named by vendor, architecture and description', () => {
    const d = describeAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false } });
    expect(d.software).toBeNull();
    expect(adapterName(d)).toBe('nvidia hopper (NVIDIA H100 80GB HBM3)');
  });
});

describe.runIf(process.platform === 'linux')('no adapter in Node: the reason names what to fix', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'XDG_DATA_DIRS']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('an ICD list whose files do not exist', () => {
    delete process.env.VK_DRIVER_FILES;
    process.env.VK_ICD_FILENAMES = '/nowhere/a_icd.json:/nowhere/b_icd.json';
    expect(noAdapterReason()).toMatch(/VK_ICD_FILENAMES lists \/nowhere\/a_icd.json, \/nowhere\/b_icd.json, and none of those files exists/);
  });

  it('no ICD file in the folders the Vulkan loader searches (names them)', () => {
    delete process.env.VK_ICD_FILENAMES;
    delete process.env.VK_DRIVER_FILES;
    process.env.XDG_DATA_DIRS = '/nowhere';
    const reason = noAdapterReason();
    // libvulkan1 missing is reported first: either way the message names the fix
    expect(reason).toMatch(/apt-get install libvulkan1|no Vulkan driver: no ICD file in \/etc\/vulkan\/icd\.d, \/nowhere\/vulkan\/icd\.d|Dawn refused every Vulkan driver found/);
  });
});
