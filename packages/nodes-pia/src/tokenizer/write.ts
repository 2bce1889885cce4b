/** Saving a vocabulary as a diffusers `tokenizer/` folder, the layout SD 1.5 model folders ship. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIP_MAX_LENGTH } from './clip-tokenizer.js';
import { END_OF_TEXT, START_OF_TEXT, validateVocabulary, vocabToObject, type ClipVocabulary } from './vocabulary.js';

/** `merges.txt` text: the `#version: 0.2` header transformers writes, then one "left right" per line. */
export function formatMergesText(vocabulary: ClipVocabulary): string {
  return `#version: 0.2\n${vocabulary.merges.map(([a, b]) => `${a} ${b}`).join('\n')}\n`;
}

/** SD 1.5's `tokenizer_config.json` settings (pad = `<|endoftext|>`, 77 tokens, lower-case). */
export function clipTokenizerConfig(maxLength = CLIP_MAX_LENGTH): Record<string, unknown> {
  return {
    add_prefix_space: false,
    bos_token: START_OF_TEXT,
    do_lower_case: true,
    eos_token: END_OF_TEXT,
    errors: 'replace',
    model_max_length: maxLength,
    pad_token: END_OF_TEXT,
    tokenizer_class: 'CLIPTokenizer',
    unk_token: END_OF_TEXT,
  };
}

/**
 * Writes `vocab.json`, `merges.txt`, `tokenizer_config.json` and `special_tokens_map.json` into `dir`
 * (created if needed), readable by transformers' `CLIPTokenizer` and by `loadClipTokenizer`.
 */
export async function writeTokenizerFolder(
  dir: string,
  vocabulary: ClipVocabulary,
  options: { maxLength?: number } = {},
): Promise<void> {
  validateVocabulary(vocabulary);
  await mkdir(dir, { recursive: true });
  const special = { bos_token: START_OF_TEXT, eos_token: END_OF_TEXT, pad_token: END_OF_TEXT, unk_token: END_OF_TEXT };
  await Promise.all([
    writeFile(join(dir, 'vocab.json'), JSON.stringify(vocabToObject(vocabulary.vocab))),
    writeFile(join(dir, 'merges.txt'), formatMergesText(vocabulary)),
    writeFile(join(dir, 'tokenizer_config.json'), `${JSON.stringify(clipTokenizerConfig(options.maxLength), null, 2)}\n`),
    writeFile(join(dir, 'special_tokens_map.json'), `${JSON.stringify(special, null, 2)}\n`),
  ]);
}
