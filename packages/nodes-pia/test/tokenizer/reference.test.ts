import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer, clipTokenizerJson, readClipBpeFile } from '../../src/tokenizer/index.js';

// Reference ids from CLIP's own SimpleTokenizer (openai/CLIP) with ftfy 6.3.1; see the data folder's README.
// CLIP's own vocabulary and reference ids, vendored (MIT, see the folder's README and LICENSE) so a plain clone tests them.
const DATA = fileURLToPath(new URL('../fixtures/clip-tokenizer', import.meta.url));
interface Case {
  text: string;
  ids: number[];
  input_ids_77: number[];
}
const CASES = JSON.parse(readFileSync(join(DATA, 'expected.json'), 'utf8')) as Case[];

let tok: ClipTokenizer;
beforeAll(async () => {
  tok = new ClipTokenizer(await readClipBpeFile(join(DATA, 'bpe_simple_vocab_16e6.txt.gz')));
});

describe('ClipTokenizer on the real CLIP vocabulary', () => {
  it('builds the 49,408-token vocabulary with BOS 49406 and EOS 49407', () => {
    expect([tok.vocabSize, tok.bosTokenId, tok.eosTokenId, tok.padTokenId]).toEqual([49408, 49406, 49407, 49407]);
  });

  it('holds all 30 reference cases', () => {
    expect(CASES).toHaveLength(30);
  });

  for (const c of CASES) {
    const label = JSON.stringify(c.text.length > 60 ? `${c.text.slice(0, 57)}...` : c.text);
    it(`matches CLIP's ids and 77-token input for ${label}`, () => {
      expect(tok.encode(c.text)).toEqual(c.ids);
      expect(tok.inputIds(c.text)).toEqual(c.input_ids_77);
    });
  }

  it("flags PIA's 81-id default negative prompt as truncated", () => {
    const negative = CASES.find((c) => c.text.startsWith('wrong white balance'))!;
    expect(tok.encodeForTextEncoder(negative.text).truncated).toBe(true);
  });

  it('tokenizes a prompt in well under a millisecond once loaded', () => {
    const prompt = 'a photo of an astronaut riding a horse on mars, best quality, highly detailed';
    const start = performance.now();
    for (let i = 0; i < 50; i++) tok.inputIds(`${prompt} ${i}`);
    expect((performance.now() - start) / 50).toBeLessThan(5);
  });
});

// Why CLIP's cleaning runs outside the library: fed the raw text, the library's BPE alone gives other ids.
describe('steps the library lacks', () => {
  let bare: Tokenizer;
  beforeAll(async () => {
    bare = new Tokenizer(clipTokenizerJson(await readClipBpeFile(join(DATA, 'bpe_simple_vocab_16e6.txt.gz'))), {});
  });
  const rawIds = (text: string) => bare.encode(text, { add_special_tokens: false }).ids;

  it('needs HTML unescaping: "&amp;" is one "&" to CLIP', () => {
    const c = CASES.find((x) => x.text.includes('&amp;'))!;
    expect(rawIds(c.text.toLowerCase())).not.toEqual(c.ids);
    expect(tok.encode(c.text)).toEqual(c.ids);
  });

  it('needs ftfy: mojibake and curly quotes are repaired before BPE', () => {
    const c = CASES.find((x) => x.text.includes('Ã©'))!;
    expect(rawIds(c.text.toLowerCase())).not.toEqual(c.ids);
    expect(tok.encode(c.text)).toEqual(c.ids);
  });

  it('needs lower-casing, which CLIP does after cleaning', () => {
    const c = CASES.find((x) => x.text.startsWith('A PHOTO'))!;
    expect(rawIds(c.text)).not.toEqual(c.ids);
    expect(c.ids).toEqual([320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496]);
  });
});
