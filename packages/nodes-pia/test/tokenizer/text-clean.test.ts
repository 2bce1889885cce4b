import { describe, expect, it } from 'vitest';
import { clipCleanText, fixText, htmlUnescape, pyStrip, repairMojibake, whitespaceClean } from '../../src/tokenizer/index.js';

// Expected strings are what CPython 3.11 and ftfy 6 return for the same input (CLIP's reference pipeline);
// @huggingface/tokenizers has none of these steps, which is why they run before it.

describe('htmlUnescape (CPython html.unescape)', () => {
  it('decodes named entities with a semicolon', () => {
    expect(htmlUnescape('salt &amp; pepper &lt;3')).toBe('salt & pepper <3');
  });

  it('decodes legacy names without a semicolon, by longest prefix', () => {
    expect(htmlUnescape('&amp')).toBe('&');
    expect(htmlUnescape('&ampx')).toBe('&x');
    expect(htmlUnescape('&notit;')).toBe('¬it;');
  });

  it('decodes decimal and hexadecimal references, astral ones included', () => {
    expect(htmlUnescape('&#65;&#x1F431;')).toBe('A🐱');
  });

  it('maps C1 numeric references through Windows-1252 as HTML5 says', () => {
    expect(htmlUnescape('&#128;&#147;')).toBe('€“');
  });

  it('turns NUL, surrogates and out-of-range references into U+FFFD and drops invalid code points', () => {
    expect(htmlUnescape('&#0;|&#xD800;|&#x110000;|&#1;')).toBe('\ufffd|\ufffd|\ufffd|');
  });

  it('leaves unknown names alone', () => {
    expect(htmlUnescape('&bogus; & more')).toBe('&bogus; & more');
  });

  it('unescapes one level per call, so CLIP calls it twice', () => {
    expect(htmlUnescape('&amp;amp;')).toBe('&amp;');
    expect(htmlUnescape(htmlUnescape('&amp;amp;'))).toBe('&');
  });
});

describe('fixText (ftfy subset)', () => {
  it('repairs UTF-8 read as Windows-1252', () => {
    expect(repairMojibake('cafÃ© naÃ¯ve')).toBe('café naïve');
  });

  it('repairs three-byte mojibake and then uncurls the repaired quote', () => {
    expect(fixText('itâ€™s')).toBe("it's");
  });

  it('keeps a legitimate accented capital followed by a closing guillemet', () => {
    expect(fixText('«ÉTÉ»')).toBe('«ÉTÉ»');
  });

  it('uncurls single and double curly quotes', () => {
    expect(fixText('“neon” ‘sign’')).toBe('"neon" \'sign\'');
  });

  it('narrows full-width letters, digits and the ideographic space', () => {
    expect(fixText('ＡＢＣ１\u3000x')).toBe('ABC1 x');
  });

  it('expands Latin ligatures', () => {
    expect(fixText('ﬁne ﬂower')).toBe('fine flower');
  });

  it('removes terminal colour escapes and control characters', () => {
    expect(fixText('\u001b[31mred\u001b[0m a\u001cb\u0000')).toBe('red ab');
  });

  it('reads a stray C1 control as its Windows-1252 character', () => {
    expect(fixText('\u0093hi\u0094')).toBe('"hi"');
  });

  it('unescapes HTML only when the text has no "<"', () => {
    expect(fixText('&amp;amp;')).toBe('&');
    expect(fixText('<b>&amp;amp;</b>')).toBe('<b>&amp;amp;</b>');
  });

  it('normalizes to NFC', () => {
    expect(fixText('cafe\u0301')).toBe('café');
  });
});

describe('CLIP whitespace and case', () => {
  it("strips Python's whitespace set, which includes U+001C and U+0085 but not U+FEFF", () => {
    expect(pyStrip(' \u001c a\u0085')).toBe('a');
    expect(pyStrip('\ufeffa')).toBe('\ufeffa');
  });

  it('collapses every whitespace run, non-breaking spaces included, to one space', () => {
    expect(whitespaceClean(' a \t\r\n b\u00a0\u2003c ')).toBe('a b c');
  });

  it('cleans, collapses and lower-cases in CLIP order', () => {
    expect(clipCleanText('  A&amp;B\n\nCafÃ©  ')).toBe('a&b café');
  });
});
