import { describe, expect, it } from 'vitest';
import { summariseInputs, summariseValue } from '../src/index.js';

class OrtTensorLike {
  readonly type = 'float32';
  readonly dims = [1, 4, 16, 64, 64];
  readonly data = new Float32Array(4);
}
class Session {}

describe('summariseValue', () => {
  it('keeps numbers, booleans, null and short strings as they are', () => {
    expect(summariseInputs({ a: 1.5, b: true, c: null, d: 'text' })).toEqual({ a: 1.5, b: true, c: null, d: 'text' });
  });

  it('cuts long strings and says how long they were', () => {
    expect(summariseValue('x'.repeat(250))).toBe(`${'x'.repeat(200)}… (250 chars)`);
  });

  it('describes tensors by element type and shape', () => {
    expect(summariseValue(new OrtTensorLike())).toEqual({ type: 'float32', shape: [1, 4, 16, 64, 64] });
    expect(summariseValue(new Uint8Array(12))).toEqual({ type: 'Uint8Array', shape: [12] });
  });

  it('names other class instances by their class', () => {
    expect(summariseValue(new Session())).toEqual({ type: 'Session' });
  });

  it('summarises big lists and deep objects instead of copying them', () => {
    expect(summariseValue(Array.from({ length: 100 }, (_, i) => i))).toEqual({ type: 'Array', length: 100 });
    expect(summariseValue({ outer: { inner: { deep: 1 } } })).toEqual({ outer: { type: 'Object', keys: ['inner'] } });
  });

  it('turns values JSON cannot carry into strings', () => {
    expect(summariseInputs({ n: Number.NaN, big: 10n })).toEqual({ n: 'NaN', big: '10' });
  });
});
