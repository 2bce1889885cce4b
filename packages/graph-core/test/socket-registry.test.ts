import { describe, expect, it } from 'vitest';
import { BUILTIN_SOCKET_TYPES, RegistryError, SocketTypeRegistry, areTypesCompatible } from '../src/index.js';
import { thrown } from './helpers.js';

describe('areTypesCompatible', () => {
  it('accepts identical types', () => {
    expect(areTypesCompatible('LATENT', 'LATENT')).toBe(true);
  });

  it('rejects different types', () => {
    expect(areTypesCompatible('LATENT', 'IMAGE')).toBe(false);
  });

  it('accepts comma unions that intersect on either side', () => {
    expect(areTypesCompatible('IMAGE', 'IMAGE,LATENT')).toBe(true);
    expect(areTypesCompatible('FLOAT, INT', 'INT')).toBe(true);
  });

  it('rejects comma unions that do not intersect', () => {
    expect(areTypesCompatible('MODEL,CLIP', 'IMAGE,LATENT')).toBe(false);
  });

  it('lets * match anything in either direction', () => {
    expect(areTypesCompatible('*', 'MODEL')).toBe(true);
    expect(areTypesCompatible('VAE', '*')).toBe(true);
  });

  it('lets COMBO outputs feed COMBO inputs but not STRING ones', () => {
    expect(areTypesCompatible('COMBO', 'COMBO')).toBe(true);
    expect(areTypesCompatible('COMBO', 'STRING')).toBe(false);
  });

  it('rejects empty type names', () => {
    expect(areTypesCompatible('', '')).toBe(false);
    expect(areTypesCompatible(' , ', 'INT')).toBe(false);
  });
});

describe('SocketTypeRegistry', () => {
  it('pre-registers the thirteen builtin types with distinct colours', () => {
    const registry = new SocketTypeRegistry();
    const names = registry.list().map((t) => t.name);
    expect(names).toEqual([
      'MODEL', 'CLIP', 'VAE', 'CONDITIONING', 'LATENT', 'IMAGE', 'AFFINITY', 'VIDEO',
      'INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO',
    ]);
    expect(new Set(BUILTIN_SOCKET_TYPES.map((t) => t.color)).size).toBe(13);
  });

  it('registers a new type with its colour', () => {
    const registry = new SocketTypeRegistry().register({ name: 'PIA_CONDITION', color: '#123456' });
    expect(registry.get('PIA_CONDITION')?.color).toBe('#123456');
    expect(registry.colorOf('PIA_CONDITION')).toBe('#123456');
  });

  it('refuses a second registration of a name with another colour', () => {
    const registry = new SocketTypeRegistry();
    const error = thrown(() => registry.register({ name: 'LATENT', color: '#000000' }));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe('socket type "LATENT" is already registered');
  });

  it('refuses names that are not UPPER_SNAKE', () => {
    expect(() => new SocketTypeRegistry().register({ name: 'image,latent', color: '#fff' })).toThrow(/must be an UPPER_SNAKE name/);
  });

  it('colours a union by its first member and an unknown type by a stable hue', () => {
    const registry = new SocketTypeRegistry();
    expect(registry.colorOf('IMAGE,LATENT')).toBe(registry.get('IMAGE')!.color);
    expect(registry.colorOf('MASK')).toBe(registry.colorOf('MASK'));
    expect(registry.colorOf('MASK')).toMatch(/^hsl\(\d+, 55%, 60%\)$/);
  });
});
