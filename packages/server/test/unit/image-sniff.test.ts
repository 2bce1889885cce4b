import { describe, expect, it } from 'vitest';
import { sniffImage } from '../../src/files/image-sniff.js';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('sniffImage', () => {
  it('recognises PNG by its 8-byte signature', () => {
    expect(sniffImage(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
  });

  it('recognises JPEG by FF D8 FF', () => {
    expect(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
  });

  it('recognises GIF89a', () => {
    expect(sniffImage(bytes('GIF89a'))).toBe('gif');
  });

  it('recognises WebP inside a RIFF container', () => {
    expect(sniffImage(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('webp');
  });

  it('does not take a RIFF WAV file for an image', () => {
    expect(sniffImage(bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '))).toBeUndefined();
  });

  it('does not take text named .png for an image', () => {
    expect(sniffImage(bytes('hello, I am not a picture'))).toBeUndefined();
  });

  it('does not take an HTML page for an image', () => {
    expect(sniffImage(bytes('<!doctype html><script>'))).toBeUndefined();
  });

  it('returns undefined for an empty file', () => {
    expect(sniffImage(new Uint8Array())).toBeUndefined();
  });
});
