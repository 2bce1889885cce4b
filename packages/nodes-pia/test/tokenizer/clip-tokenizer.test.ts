import { describe, expect, it } from 'vitest';
import {
  ClipTokenizer,
  TokenizerError,
  buildClipVocabulary,
  byteSymbolsInVocabOrder,
  bytesToUnicode,
} from '../../src/tokenizer/index.js';

// Hand-built vocabulary: 256 byte symbols, 256 with </w>, then merges "c a" → 512, "ca t</w>" → 513,
// then <|startoftext|> 514 and <|endoftext|> 515. Printable bytes come first from '!' (0x21), so a
// printable ASCII letter x has id x - 0x21 and x</w> has 256 + x - 0x21.
const tiny = buildClipVocabulary([
  ['c', 'a'],
  ['ca', 't</w>'],
]);
const id = (ch: string) => ch.charCodeAt(0) - 0x21;
const idEnd = (ch: string) => 256 + id(ch);

describe('byte-level alphabet', () => {
  it("maps the space byte to 'Ġ' (U+0120) and printable bytes to themselves, as GPT-2/CLIP do", () => {
    const table = bytesToUnicode();
    expect(table[0x20]).toBe('\u0120');
    expect(table[0x61]).toBe('a');
    expect(table[0x00]).toBe('\u0100');
  });

  it('lists the 188 printable bytes first in vocabulary order', () => {
    const order = byteSymbolsInVocabOrder();
    expect(order[0]).toBe('!');
    expect(order[187]).toBe('ÿ');
    expect(order[188]).toBe('\u0100');
  });
});

describe('ClipTokenizer on a hand-built vocabulary', () => {
  const tok = new ClipTokenizer(tiny, { maxLength: 8 });

  it('assigns the special tokens the two ids after the merges', () => {
    expect([tok.bosTokenId, tok.eosTokenId, tok.padTokenId, tok.vocabSize]).toEqual([514, 515, 515, 516]);
  });

  it('merges c+a then ca+t</w> into one token for "cat"', () => {
    expect(tok.encode('cat')).toEqual([513]);
  });

  it('leaves a word without merges as single bytes with </w> on the last', () => {
    expect(tok.encode('dog')).toEqual([id('d'), id('o'), idEnd('g')]);
  });

  it('lower-cases before merging', () => {
    expect(tok.encode('CAT Dog')).toEqual([513, id('d'), id('o'), idEnd('g')]);
  });

  it('applies a merge inside a longer word only where the pair occurs', () => {
    // "cats" → c a t s</w> → ca t s</w>; "ca t" is not "ca t</w>", so it stays
    expect(tok.encode('cats')).toEqual([512, id('t'), idEnd('s')]);
  });

  it('splits every digit into its own token', () => {
    expect(tok.encode('42')).toEqual([idEnd('4'), idEnd('2')]);
  });

  it('keeps a punctuation run as one pre-token', () => {
    expect(tok.encode('!?')).toEqual([id('!'), idEnd('?')]);
  });

  it('splits off English contractions', () => {
    expect(tok.encode("it's")).toEqual([id('i'), idEnd('t'), id("'"), idEnd('s')]);
  });

  it('frames ids as [BOS] ids [EOS] and pads with EOS', () => {
    expect(tok.inputIds('cat dog')).toEqual([514, 513, id('d'), id('o'), idEnd('g'), 515, 515, 515]);
  });

  it('truncates to maxLength - 2 ids and says so', () => {
    const enc = tok.encodeForTextEncoder('a b c d e f g');
    expect(enc.inputIds).toEqual([514, ...['a', 'b', 'c', 'd', 'e', 'f'].map(idEnd), 515]);
    expect(enc.tokenIds).toHaveLength(7);
    expect(enc.truncated).toBe(true);
  });

  it('encodes an empty prompt as BOS, EOS and padding', () => {
    expect(tok.inputIds('   ')).toEqual([514, 515, 515, 515, 515, 515, 515, 515]);
  });

  it('maps a literal <|endoftext|> in the prompt to its id', () => {
    expect(tok.encode('cat <|endoftext|>')).toEqual([513, 515]);
  });

  it('decodes ids back to text', () => {
    expect(tok.decode(tok.inputIds('Cat dog'))).toBe('cat dog');
  });

  it('rejects a vocabulary without <|endoftext|>', () => {
    const vocab = new Map(tiny.vocab);
    vocab.delete('<|endoftext|>');
    expect(() => new ClipTokenizer({ vocab, merges: tiny.merges })).toThrow(/no <\|endoftext\|> token/);
  });

  it('rejects merges that make a token missing from the vocabulary', () => {
    const vocab = new Map(tiny.vocab);
    vocab.delete('ca');
    expect(() => new ClipTokenizer({ vocab, merges: tiny.merges }, {}, 'x/vocab.json')).toThrow(
      /x\/vocab.json: merge 0 \("c a"\) makes "ca", which is not in the vocabulary/,
    );
  });

  it('rejects a maxLength below 2', () => {
    try {
      new ClipTokenizer(tiny, { maxLength: 1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenizerError);
      expect((error as TokenizerError).code).toBe('invalid_option');
      expect((error as Error).message).toMatch(/maxLength must be an integer >= 2, got 1/);
    }
  });
});
