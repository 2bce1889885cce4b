/**
 * Reading a CLIP tokenizer from the files users have: a diffusers `tokenizer/` folder (`vocab.json` +
 * `merges.txt`), a `tokenizer.json`, or CLIP's `bpe_simple_vocab_16e6.txt.gz`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isDirectory, pathExists } from '../path-exists.js';
import { ClipTokenizer, type ClipTokenizerOptions } from './clip-tokenizer.js';
import { TokenizerError } from './errors.js';
import {
  buildClipVocabulary,
  parseClipBpeText,
  parseMergesText,
  parseVocabObject,
  type ClipVocabulary,
  type Merge,
} from './vocabulary.js';

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TokenizerError('file_not_found', 'no such file', path);
    throw new TokenizerError('unreadable_file', `cannot be read (${code ?? String(error)})`, path);
  }
}

async function readJson(path: string, code: 'invalid_vocab' | 'invalid_tokenizer_json'): Promise<unknown> {
  const text = (await readBytes(path)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TokenizerError(code, `is not valid JSON (${(error as Error).message})`, path);
  }
}

/** A diffusers/transformers tokenizer folder: `vocab.json` + `merges.txt`. */
export async function readVocabMergesFolder(dir: string): Promise<ClipVocabulary> {
  const vocab = parseVocabObject(await readJson(join(dir, 'vocab.json'), 'invalid_vocab'), join(dir, 'vocab.json'));
  const mergesPath = join(dir, 'merges.txt');
  const merges = parseMergesText((await readBytes(mergesPath)).toString('utf8'), mergesPath);
  return { vocab, merges };
}

/** The BPE model of a Hugging Face `tokenizer.json` (its pipeline settings are replaced by CLIP's). */
export async function readTokenizerJson(path: string): Promise<ClipVocabulary> {
  const raw = (await readJson(path, 'invalid_tokenizer_json')) as { model?: Record<string, unknown> } | null;
  const model = raw?.model;
  if (!model || model.type !== 'BPE') {
    throw new TokenizerError('invalid_tokenizer_json', 'has no BPE "model" section', path);
  }
  if (model.end_of_word_suffix !== '</w>') {
    throw new TokenizerError(
      'invalid_tokenizer_json',
      `is not a CLIP tokenizer (BPE end_of_word_suffix is ${JSON.stringify(model.end_of_word_suffix)}, expected "</w>")`,
      path,
    );
  }
  const vocab = parseVocabObject(model.vocab, path);
  const rawMerges = model.merges;
  if (!Array.isArray(rawMerges)) throw new TokenizerError('invalid_merges', 'model.merges is not a list', path);
  const merges: Merge[] = rawMerges.map((m: unknown, i) => {
    const pair = typeof m === 'string' ? m.split(' ') : m;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((s) => typeof s === 'string' && s !== '')) {
      throw new TokenizerError('invalid_merges', `model.merges[${i}] is not a pair of symbols`, path);
    }
    return [pair[0] as string, pair[1] as string];
  });
  // tokenizer.json keeps the special tokens in added_tokens; put them back into the vocabulary.
  const added = (raw as { added_tokens?: { id?: unknown; content?: unknown }[] }).added_tokens ?? [];
  for (const token of added) {
    if (typeof token.content === 'string' && Number.isInteger(token.id)) vocab.set(token.content, token.id as number);
  }
  return { vocab, merges };
}

/** CLIP's `bpe_simple_vocab_16e6.txt.gz` (or the decompressed `.txt`), with CLIP's vocabulary construction. */
export async function readClipBpeFile(path: string): Promise<ClipVocabulary> {
  const bytes = await readBytes(path);
  let text: string;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      text = gunzipSync(bytes).toString('utf8');
    } catch (error) {
      throw new TokenizerError('invalid_merges', `is not a valid gzip file (${(error as Error).message})`, path);
    }
  } else if (path.endsWith('.gz')) {
    throw new TokenizerError('invalid_merges', 'has a .gz name but is not gzip data', path);
  } else {
    text = bytes.toString('utf8');
  }
  return buildClipVocabulary(parseClipBpeText(text, path));
}

/**
 * Reads the vocabulary at `path`: a folder (with `tokenizer.json`, or `vocab.json` + `merges.txt`, directly or
 * in a `tokenizer/` subfolder as in a diffusers model folder), a `tokenizer.json`, or a CLIP `.txt(.gz)` BPE file.
 */
export async function readClipVocabulary(path: string): Promise<ClipVocabulary> {
  if (await isDirectory(path)) {
    for (const dir of [path, join(path, 'tokenizer')]) {
      if (await pathExists(join(dir, 'vocab.json'))) return readVocabMergesFolder(dir);
      if (await pathExists(join(dir, 'tokenizer.json'))) return readTokenizerJson(join(dir, 'tokenizer.json'));
    }
    throw new TokenizerError(
      'file_not_found',
      'folder has neither vocab.json + merges.txt nor tokenizer.json (nor a tokenizer/ subfolder with them)',
      path,
    );
  }
  if (path.endsWith('.json')) return readTokenizerJson(path);
  if (path.endsWith('.txt') || path.endsWith('.gz')) return readClipBpeFile(path);
  if (!(await pathExists(path))) throw new TokenizerError('file_not_found', 'no such file or folder', path);
  throw new TokenizerError(
    'unreadable_file',
    'is not a tokenizer folder, a tokenizer.json or a CLIP .txt/.txt.gz BPE file',
    path,
  );
}

/** Loads a {@link ClipTokenizer} from any of the layouts {@link readClipVocabulary} reads. */
export async function loadClipTokenizer(path: string, options: ClipTokenizerOptions = {}): Promise<ClipTokenizer> {
  return new ClipTokenizer(await readClipVocabulary(path), options, path);
}
