/**
 * Small CLIP-style vocabularies for tiny test and demo models: CLIP's byte alphabet plus a few merges learned
 * deterministically from a built-in corpus, so a tiny text encoder gets real, stable ids for real prompts.
 */
import { bytesToUnicode } from './byte-level.js';
import { clipCleanText } from './clip-clean.js';
import { END_OF_WORD, buildClipVocabulary, type ClipVocabulary, type Merge } from './vocabulary.js';

/** CLIP's pre-tokenizer regex in JavaScript form (`u` for `\p{…}`, `i` for CLIP's IGNORECASE). */
const PRETOKENIZE_RE = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** Words of PIA's example prompts (pia-model.md §8): what the demo animations say. */
export const TINY_TOKENIZER_CORPUS =
  'lightning, lighthouse. sun rising, lighthouse. fireworks, lighthouse. 1boy smiling. 1boy playing magic fire. ' +
  '1boy is waving hands. 1girl is smiling, lowres, watermark. 1girl is crying. 1girl, snowing dark night. ' +
  'a golden labrador jump. a golden labrador walking. a golden labrador is running. ' +
  '1bear walking in a shop, best quality, 4k. cherry blossoms in the wind, best quality. 1girl smiling. ' +
  '1girl open mouth. 1man is smiling, masterpiece, best quality, playing guitar, concert, stage lights. ' +
  'a photo of a cat. a photo of a dog. wrong white balance, dark, worst quality, low quality, deformed, ugly.';

/** Byte-level symbols of one pre-token, `</w>` on the last (what CLIP's `bpe()` starts from). */
function wordSymbols(word: string, byteTable: readonly string[]): string[] {
  const symbols = Array.from(new TextEncoder().encode(word), (b) => byteTable[b]!);
  symbols[symbols.length - 1] += END_OF_WORD;
  return symbols;
}

/**
 * Learns `numMerges` BPE merges from `corpus` (after CLIP's cleaning and pre-tokenizing): each round merges the
 * most frequent adjacent pair, ties going to the pair that sorts first, and stops early when no pair occurs twice.
 */
export function learnBpeMerges(corpus: string, numMerges: number): Merge[] {
  const byteTable = bytesToUnicode();
  const counts = new Map<string, number>();
  for (const word of clipCleanText(corpus).match(PRETOKENIZE_RE) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  const words = [...counts].map(([word, count]) => ({ symbols: wordSymbols(word, byteTable), count }));
  const merges: Merge[] = [];
  while (merges.length < numMerges) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: [string, number] | undefined;
    for (const entry of pairs) {
      if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
    }
    if (!best || best[1] < 2) break;
    const [a, b] = best[0].split(' ') as [string, string];
    merges.push([a, b]);
    for (const word of words) {
      const next: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (word.symbols[i] === a && word.symbols[i + 1] === b) {
          next.push(a + b);
          i++;
        } else {
          next.push(word.symbols[i]!);
        }
      }
      word.symbols = next;
    }
  }
  return merges;
}

/**
 * A tiny CLIP vocabulary: 512 byte symbols, up to `numMerges` merges learned from `corpus`, then the two special
 * tokens. The same arguments always give the same vocabulary.
 */
export function tinyClipVocabulary(numMerges = 64, corpus = TINY_TOKENIZER_CORPUS): ClipVocabulary {
  return buildClipVocabulary(learnBpeMerges(corpus, numMerges));
}
