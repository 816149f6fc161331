import { describe, it, expect } from 'vitest';
import { CheckpointError, ImageError, describeJsonValue, formatFileError } from './errors.js';

describe('CheckpointError', () => {
  it('composes file, key, expected, found and hint into one sentence', () => {
    const e = new CheckpointError({
      file: 'model.safetensors', key: 'vit.embeddings.cls_token', expected: 'dtype F32', found: 'dtype C64',
      hint: 'Convert the checkpoint.',
    });
    expect(e.message).toBe('model.safetensors: vit.embeddings.cls_token: expected dtype F32, found dtype C64. Convert the checkpoint.');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CheckpointError');
    expect(e).toMatchObject({ file: 'model.safetensors', key: 'vit.embeddings.cls_token', expected: 'dtype F32', found: 'dtype C64' });
  });

  it('skips absent parts and keeps the cause', () => {
    const cause = new SyntaxError('Unexpected end of JSON input');
    const e = new CheckpointError({ file: 'config.json', expected: 'valid JSON', cause });
    expect(e.message).toBe('config.json: expected valid JSON');
    expect(e.cause).toBe(cause);
    expect(e.key).toBeUndefined();
    expect(formatFileError({ found: 'nothing.', hint: 'Try again.' })).toBe('found nothing. Try again.');
    expect(formatFileError({})).toBe('invalid input');
  });
});

describe('ImageError', () => {
  it('reads like CheckpointError and is told apart from it', () => {
    const e = new ImageError({ file: 'a.gif', expected: 'PNG or JPEG', found: 'GIF data' });
    expect(e.message).toBe('a.gif: expected PNG or JPEG, found GIF data');
    expect(e.name).toBe('ImageError');
    expect(e).not.toBeInstanceOf(CheckpointError);
  });
});

describe('describeJsonValue', () => {
  it('names the type and shows short values', () => {
    expect(describeJsonValue(undefined)).toBe('missing');
    expect(describeJsonValue(null)).toBe('null');
    expect(describeJsonValue('gelu_fast')).toBe('string "gelu_fast"');
    expect(describeJsonValue(3.5)).toBe('number 3.5');
    expect(describeJsonValue(false)).toBe('boolean false');
    expect(describeJsonValue([1])).toBe('array of 1 item');
    expect(describeJsonValue({ a: 1 })).toBe('object');
    expect(describeJsonValue('x'.repeat(100))).toBe(`string "${'x'.repeat(57)}..."`);
  });
});
