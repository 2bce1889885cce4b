/**
 * The CLIP tokenizer exactly as SD 1.5 uses it. CLIP's text cleaning runs here ({@link clipCleanText}); the
 * pre-tokenizer regex, byte-level mapping and BPE merging run in `@huggingface/tokenizers`, configured as
 * CLIP's `tokenizer.json` pipeline; ids are then framed as the text encoder wants them.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { clipCleanText } from './clip-clean.js';
import { TokenizerError } from './errors.js';
import {
  END_OF_TEXT,
  END_OF_WORD,
  START_OF_TEXT,
  validateVocabulary,
  type ClipVocabulary,
} from './vocabulary.js';

/**
 * CLIP's pre-tokenizer pattern. CLIP compiles it with `re.IGNORECASE`; the inline `(?i:…)` keeps that for the
 * few characters that fold without lower-casing (e.g. "'ſ" matches "'s").
 */
export const CLIP_PRETOKENIZE_PATTERN =
  "(?i:<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+)";

/** SD 1.5's text-encoder context: `[BOS] + 75 ids + [EOS]`. */
export const CLIP_MAX_LENGTH = 77;

/** The text-encoder input for one prompt. */
export interface ClipEncoding {
  /** `[BOS] + ids[:maxLength-2] + [EOS]`, padded with the pad id to `maxLength`. */
  inputIds: number[];
  /** Ids of the prompt without BOS/EOS, before truncation. */
  tokenIds: number[];
  /** True when the prompt had more than `maxLength - 2` ids and was cut. */
  truncated: boolean;
}

/** Options of {@link ClipTokenizer}. */
export interface ClipTokenizerOptions {
  /** Context length of the text encoder (77 for SD 1.5). */
  maxLength?: number;
}

/** A `tokenizer.json` object for `@huggingface/tokenizers` that runs CLIP's pre-tokenizer and BPE on cleaned text. */
export function clipTokenizerJson(vocabulary: ClipVocabulary): Record<string, unknown> {
  // The library only reads the mapping, so insertion order does not matter and no sort is needed.
  const vocab = Object.fromEntries(vocabulary.vocab);
  const special = (content: string) => ({
    id: vocabulary.vocab.get(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(START_OF_TEXT), special(END_OF_TEXT)],
    // CLIP's cleaning (ftfy, HTML, whitespace, lower-case) happens before the library sees the text.
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_PRETOKENIZE_PATTERN }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: END_OF_TEXT,
      continuing_subword_prefix: '',
      end_of_word_suffix: END_OF_WORD,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: vocabulary.merges,
    },
  };
}

/** CLIP's BPE tokenizer with SD 1.5's framing (BOS 49406, EOS 49407, padded with EOS to 77). */
export class ClipTokenizer {
  /** Id of `<|startoftext|>` (49406 in CLIP). */
  readonly bosTokenId: number;
  /** Id of `<|endoftext|>` (49407 in CLIP). */
  readonly eosTokenId: number;
  /** SD 1.5 pads with `<|endoftext|>`, not 0. */
  readonly padTokenId: number;
  /** Length of {@link ClipEncoding.inputIds}. */
  readonly maxLength: number;
  /** Highest id + 1: the text encoder's embedding rows. */
  readonly vocabSize: number;
  private readonly bpe: Tokenizer;

  constructor(
    readonly vocabulary: ClipVocabulary,
    options: ClipTokenizerOptions = {},
    source?: string,
  ) {
    validateVocabulary(vocabulary, source);
    const maxLength = options.maxLength ?? CLIP_MAX_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < 2) {
      throw new TokenizerError('invalid_option', `maxLength must be an integer >= 2, got ${maxLength}`, source);
    }
    this.maxLength = maxLength;
    this.bosTokenId = vocabulary.vocab.get(START_OF_TEXT)!;
    this.eosTokenId = vocabulary.vocab.get(END_OF_TEXT)!;
    this.padTokenId = this.eosTokenId;
    this.vocabSize = Math.max(...vocabulary.vocab.values()) + 1;
    this.bpe = new Tokenizer(clipTokenizerJson(vocabulary), { clean_up_tokenization_spaces: false });
  }

  /** The BPE tokens of a prompt (with `</w>` on word ends), after CLIP's cleaning. */
  tokenize(text: string): string[] {
    return this.bpe.tokenize(clipCleanText(text), { add_special_tokens: false });
  }

  /** CLIP's `SimpleTokenizer.encode`: ids without BOS/EOS, not truncated. */
  encode(text: string): number[] {
    return this.bpe.encode(clipCleanText(text), { add_special_tokens: false }).ids;
  }

  /** The text-encoder input: `[BOS] + ids[:maxLength-2] + [EOS]`, padded to `maxLength`. */
  encodeForTextEncoder(text: string): ClipEncoding {
    const tokenIds = this.encode(text);
    const room = this.maxLength - 2;
    const inputIds = [this.bosTokenId, ...tokenIds.slice(0, room), this.eosTokenId];
    while (inputIds.length < this.maxLength) inputIds.push(this.padTokenId);
    return { inputIds, tokenIds, truncated: tokenIds.length > room };
  }

  /** Just the padded input ids of {@link ClipTokenizer.encodeForTextEncoder}. */
  inputIds(text: string): number[] {
    return this.encodeForTextEncoder(text).inputIds;
  }

  /** Ids back to text (special tokens dropped, `</w>` read as a space), for logs and previews. */
  decode(ids: readonly number[]): string {
    return this.bpe.decode([...ids], { skip_special_tokens: true }).trim();
  }
}
