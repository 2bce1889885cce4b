/**
 * CLIP's BPE vocabulary: the token → id map and the ranked merges, parsed from the files users have and built
 * the way CLIP builds it. Pure: no file access here.
 */
import { byteSymbolsInVocabOrder } from './byte-level.js';
import { TokenizerError } from './errors.js';

/** One BPE merge rule: two adjacent symbols that become one token. Index in the list = rank. */
export type Merge = readonly [string, string];

/** What a CLIP tokenizer is made of. */
export interface ClipVocabulary {
  /** token → id; must hold `<|startoftext|>` and `<|endoftext|>`. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merge rules, lowest rank first. */
  readonly merges: readonly Merge[];
}

/** CLIP's special tokens. */
export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
/** Suffix CLIP appends to the last symbol of every word. */
export const END_OF_WORD = '</w>';
/** Merges CLIP reads from `bpe_simple_vocab_16e6.txt` (`merges[1:49152-256-2+1]`). */
export const CLIP_MERGE_COUNT = 49152 - 256 - 2;

/**
 * CLIP's vocabulary construction: the 256 byte symbols, the same with `</w>`, one token per merge (the pair
 * joined), then `<|startoftext|>` and `<|endoftext|>` (49406 and 49407 for the real merges).
 */
export function buildClipVocabulary(merges: readonly Merge[]): ClipVocabulary {
  const bytes = byteSymbolsInVocabOrder();
  const tokens = [...bytes, ...bytes.map((b) => b + END_OF_WORD), ...merges.map(([a, b]) => a + b)];
  tokens.push(START_OF_TEXT, END_OF_TEXT);
  return { vocab: new Map(tokens.map((token, id) => [token, id])), merges };
}

function parseMergeLine(line: string, lineNumber: number, source: string): Merge {
  const parts = line.split(' ');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new TokenizerError(
      'invalid_merges',
      `line ${lineNumber} is not a merge "left right": ${JSON.stringify(line.slice(0, 60))}`,
      source,
      { line: lineNumber },
    );
  }
  return [parts[0]!, parts[1]!];
}

/** Parses a `merges.txt` (diffusers/transformers): an optional `#version` header, then one "left right" per line. */
export function parseMergesText(text: string, source = 'merges.txt'): Merge[] {
  const lines = text.split(/\r?\n/);
  const merges: Merge[] = [];
  lines.forEach((line, index) => {
    if (line === '' || (index === 0 && line.startsWith('#version'))) return;
    merges.push(parseMergeLine(line, index + 1, source));
  });
  if (merges.length === 0) throw new TokenizerError('invalid_merges', 'holds no merges', source);
  return merges;
}

/** Parses CLIP's `bpe_simple_vocab_16e6.txt` (decompressed): header line, then the first 48,894 merges. */
export function parseClipBpeText(text: string, source = 'bpe_simple_vocab_16e6.txt'): Merge[] {
  // The file has 262k lines and CLIP uses the first 48,894, so walk line ends instead of splitting it all.
  const merges: Merge[] = [];
  let start = text.indexOf('\n') + 1;
  for (let lineNumber = 2; start > 0 && start < text.length && merges.length < CLIP_MERGE_COUNT; lineNumber++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    if (line !== '') merges.push(parseMergeLine(line, lineNumber, source));
    start = end + 1;
  }
  if (merges.length === 0) throw new TokenizerError('invalid_merges', 'holds no merges', source);
  return merges;
}

/** Parses a `vocab.json` object (token → id), checking that ids are distinct non-negative integers. */
export function parseVocabObject(raw: unknown, source = 'vocab.json'): Map<string, number> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TokenizerError('invalid_vocab', 'is not a JSON object of token → id', source);
  }
  const vocab = new Map<string, number>();
  const seen = new Set<number>();
  for (const [token, id] of Object.entries(raw)) {
    if (!Number.isInteger(id) || (id as number) < 0 || seen.has(id as number)) {
      throw new TokenizerError(
        'invalid_vocab',
        `token ${JSON.stringify(token)} has id ${JSON.stringify(id)}; ids must be distinct non-negative integers`,
        source,
      );
    }
    seen.add(id as number);
    vocab.set(token, id as number);
  }
  return vocab;
}

/** Checks a vocabulary is usable: both special tokens present, every merge result in the vocabulary. */
export function validateVocabulary(vocabulary: ClipVocabulary, source?: string): void {
  for (const special of [START_OF_TEXT, END_OF_TEXT]) {
    if (!vocabulary.vocab.has(special)) {
      throw new TokenizerError('missing_special_token', `the vocabulary has no ${special} token`, source);
    }
  }
  vocabulary.merges.forEach(([a, b], rank) => {
    if (!vocabulary.vocab.has(a + b)) {
      throw new TokenizerError(
        'invalid_merges',
        `merge ${rank} ("${a} ${b}") makes "${a + b}", which is not in the vocabulary (vocab and merges do not match)`,
        source,
        { rank },
      );
    }
  });
}

/** The vocabulary as a plain object ordered by id (the layout of `vocab.json`). */
export function vocabToObject(vocab: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...vocab].sort((x, y) => x[1] - y[1]));
}
