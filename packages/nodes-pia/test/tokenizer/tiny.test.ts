import { describe, expect, it } from 'vitest';
import { ClipTokenizer, learnBpeMerges, tinyClipVocabulary } from '../../src/tokenizer/index.js';

describe('learnBpeMerges', () => {
  it('merges the most frequent pair first', () => {
    // "aa aa ab": pairs a+a</w> ×2, a+b</w> ×1 → first merge a + a</w>; then nothing occurs twice
    expect(learnBpeMerges('aa aa ab', 5)).toEqual([['a', 'a</w>']]);
  });

  it('breaks ties by the pair that sorts first', () => {
    // "xy xy zw zw": x+y</w> and z+w</w> both ×2; "x y</w>" < "z w</w>"
    expect(learnBpeMerges('xy xy zw zw', 1)).toEqual([['x', 'y</w>']]);
  });

  it('builds on earlier merges', () => {
    // "abc" ×3: a b c</w> → (a b: 3, b c</w>: 3, tie → "a b") ab c</w> → ab + c</w>
    expect(learnBpeMerges('abc abc abc', 3)).toEqual([
      ['a', 'b'],
      ['ab', 'c</w>'],
    ]);
  });
});

describe('tinyClipVocabulary', () => {
  it('has 512 byte symbols, the requested merges and the two special tokens', () => {
    const v = tinyClipVocabulary(48);
    expect(v.merges).toHaveLength(48);
    expect(v.vocab.size).toBe(512 + 48 + 2);
    expect(v.vocab.get('<|endoftext|>')).toBe(561);
  });

  it('is the same on every call', () => {
    expect(tinyClipVocabulary(32)).toEqual(tinyClipVocabulary(32));
  });

  it('tokenizes a demo prompt into fewer tokens than bytes', () => {
    const tok = new ClipTokenizer(tinyClipVocabulary(64));
    const ids = tok.encode('a golden labrador walking');
    expect(ids.length).toBeLessThan('agoldenlabradorwalking'.length);
    expect(Math.max(...ids)).toBeLessThan(tok.vocabSize);
  });
});
