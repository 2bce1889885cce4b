import { describe, expect, it } from 'vitest';
import { mulhi32, philox4x32 } from '../../src/random/index.js';

// Known-answer vectors of Random123's `examples/kat_vectors` (the three "philox4x32 10" lines):
// counter (4 words), key (2 words) → output (4 words).
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];

describe('philox4x32', () => {
  KAT.forEach(([counter, key, expected], i) => {
    it(`reproduces Random123 known-answer vector ${i + 1}`, () => {
      expect(Array.from(philox4x32(counter, key))).toEqual(expected);
    });
  });

  it('writes into the buffer it is given', () => {
    const out = new Uint32Array(4);
    expect(philox4x32([0, 0, 0, 0], [0, 0], 10, out)).toBe(out);
    expect(out[0]).toBe(0x6627e8d5);
  });
});

describe('mulhi32', () => {
  it('matches the high word of a BigInt product', () => {
    const pairs = [[0xffffffff, 0xffffffff], [0xd2511f53, 0x243f6a88], [0xcd9e8d57, 1], [65536, 65536], [0, 0xffffffff]];
    for (const [a, b] of pairs) expect(mulhi32(a!, b!)).toBe(Number((BigInt(a!) * BigInt(b!)) >> 32n));
  });
});
