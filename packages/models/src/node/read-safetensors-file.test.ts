import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { CheckpointError } from '../errors.js';
import { readSafetensorsFile, readSafetensorsHeaderFile } from './read-safetensors-file.js';

const fixturePath = (rel: string): string =>
  fileURLToPath(new URL(`../../../../tests/fixtures/${rel}`, import.meta.url));

describe('readSafetensorsFile', () => {
  it('reads a checkpoint from disk', () => {
    const path = fixturePath('shapes-vit-hf/model.safetensors');
    const st = readSafetensorsFile(path);
    expect(st.fileName).toBe(path);
    expect(st.tensors.size).toBe(72);
    expect(st.tensors.get('vit.embeddings.patch_embeddings.projection.weight')!.shape).toEqual([96, 3, 8, 8]);
    expect(st.read('vit.embeddings.cls_token')[0]).toBe(Math.fround(0.10025244206190109));
  });

  it('reports a missing file with its path and a hint', () => {
    const path = join(tmpdir(), 'maskgrad-no-such-dir', 'model.safetensors');
    expect(() => readSafetensorsFile(path)).toThrow(CheckpointError);
    expect(() => readSafetensorsFile(path)).toThrow(
      `${path}: expected a safetensors file, found no such file. Check the path`,
    );
  });

  it('reports a directory passed instead of a file', () => {
    const dir = fixturePath('shapes-vit-hf');
    expect(() => readSafetensorsFile(dir)).toThrow(/found a directory\. Pass the \.safetensors file inside it/);
  });

  it('names the path when the content is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgrad-st-'));
    const path = join(dir, 'broken.safetensors');
    try {
      writeFileSync(path, new Uint8Array([1, 2, 3]));
      expect(() => readSafetensorsFile(path)).toThrow(`${path}: expected at least 8 bytes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readSafetensorsHeaderFile', () => {
  it('reads the header alone: the same tensors as the whole file', () => {
    const path = fixturePath('shapes-vit-hf/model.safetensors');
    const header = readSafetensorsHeaderFile(path);
    const whole = readSafetensorsFile(path);
    expect([...header.tensors]).toEqual([...whole.tensors]);
    expect(header.dataStart).toBe(whole.dataStart);
  });

  it('refuses what is not a regular file, without reading it', () => {
    expect(() => readSafetensorsHeaderFile('/dev/zero')).toThrow(/^\/dev\/zero: expected a safetensors file, found a character device/);
    expect(() => readSafetensorsFile('/dev/zero')).toThrow(/^\/dev\/zero: expected a safetensors file, found a character device/);
  });
});
