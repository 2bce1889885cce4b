import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineNode, type SocketValueMap } from '../src/index.js';

describe('defineNode', () => {
  it('returns the definition it was given', () => {
    const def = {
      classType: 'Identity',
      category: 'test',
      inputs: {},
      outputs: [],
      run: () => ({ outputs: [] as [] }),
    } as const;
    expect(defineNode(def)).toBe(def);
  });

  it('types run inputs from the declaration', () => {
    defineNode({
      classType: 'Typed',
      category: 'test',
      inputs: {
        required: {
          count: { type: 'INT', default: 1 },
          ratio: { type: 'FLOAT' },
          name: { type: 'STRING' },
          flag: { type: 'BOOLEAN' },
          mode: { type: 'COMBO', options: ['a', 'b'] },
          latent: { type: 'LATENT' },
          either: { type: 'INT,STRING' },
        },
        optional: { extra: { type: 'INT' } },
      },
      outputs: [{ type: 'INT' }, { type: 'STRING' }],
      run(inputs) {
        expectTypeOf(inputs.count).toEqualTypeOf<number>();
        expectTypeOf(inputs.ratio).toEqualTypeOf<number>();
        expectTypeOf(inputs.name).toEqualTypeOf<string>();
        expectTypeOf(inputs.flag).toEqualTypeOf<boolean>();
        expectTypeOf(inputs.mode).toEqualTypeOf<'a' | 'b'>();
        expectTypeOf(inputs.latent).toEqualTypeOf<SocketValueMap extends { LATENT: infer L } ? L : unknown>();
        expectTypeOf(inputs.either).toEqualTypeOf<number | string>();
        expectTypeOf(inputs.extra).toEqualTypeOf<number | undefined>();
        return { outputs: [inputs.count, inputs.name] };
      },
    });
  });

  it('rejects a run whose outputs do not match the declared types', () => {
    defineNode({
      classType: 'Wrong',
      category: 'test',
      inputs: {},
      outputs: [{ type: 'INT' }],
      // @ts-expect-error a string is not an INT output
      run: () => ({ outputs: ['not a number'] }),
    });
  });
});
