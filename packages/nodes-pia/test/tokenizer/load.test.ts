import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TokenizerError,
  buildClipVocabulary,
  clipTokenizerJson,
  loadClipTokenizer,
  readClipVocabulary,
  tinyClipVocabulary,
  writeTokenizerFolder,
} from '../../src/tokenizer/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-tokenizer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const vocabulary = buildClipVocabulary([
  ['c', 'a'],
  ['ca', 't</w>'],
]);

async function expectTokenizerError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenizerError);
  expect((error as TokenizerError).code).toBe(code);
  expect((error as Error).message).toMatch(message);
}

describe('writeTokenizerFolder and loading', () => {
  it('writes a diffusers tokenizer folder that loads back to the same ids', async () => {
    const folder = join(dir, 'written', 'tokenizer');
    await writeTokenizerFolder(folder, vocabulary);
    const tok = await loadClipTokenizer(folder);
    expect(tok.inputIds('cat dog').slice(0, 6)).toEqual([514, 513, 0x64 - 0x21, 0x6f - 0x21, 256 + 0x67 - 0x21, 515]);
  });

  it('writes merges.txt with the #version header and vocab.json in id order', async () => {
    const folder = join(dir, 'layout');
    await writeTokenizerFolder(folder, vocabulary);
    const merges = await readFile(join(folder, 'merges.txt'), 'utf8');
    expect(merges).toBe('#version: 0.2\nc a\nca t</w>\n');
    const vocab = JSON.parse(await readFile(join(folder, 'vocab.json'), 'utf8')) as Record<string, number>;
    expect(Object.values(vocab).slice(-3)).toEqual([513, 514, 515]);
  });

  it('writes SD 1.5 tokenizer settings: 77 tokens, pad <|endoftext|>', async () => {
    const folder = join(dir, 'config');
    await writeTokenizerFolder(folder, vocabulary);
    const config = JSON.parse(await readFile(join(folder, 'tokenizer_config.json'), 'utf8'));
    expect(config).toMatchObject({ model_max_length: 77, pad_token: '<|endoftext|>', tokenizer_class: 'CLIPTokenizer' });
  });

  it('finds the tokenizer/ subfolder of a diffusers model folder', async () => {
    const root = join(dir, 'model');
    await writeTokenizerFolder(join(root, 'tokenizer'), vocabulary);
    expect((await readClipVocabulary(root)).vocab.size).toBe(516);
  });

  it('reads a Hugging Face tokenizer.json with string merges and special tokens in added_tokens', async () => {
    const json = clipTokenizerJson(vocabulary) as { model: { vocab: Record<string, number>; merges: unknown } };
    const vocab = { ...json.model.vocab };
    delete vocab['<|startoftext|>'];
    delete vocab['<|endoftext|>'];
    const file = join(dir, 'tokenizer.json');
    await writeFile(file, JSON.stringify({ ...json, model: { ...json.model, vocab, merges: ['c a', 'ca t</w>'] } }));
    const tok = await loadClipTokenizer(file);
    expect(tok.inputIds('cat').slice(0, 3)).toEqual([514, 513, 515]);
  });

  it('reads a gzipped CLIP BPE file, skipping its header line', async () => {
    const file = join(dir, 'bpe.txt.gz');
    await writeFile(file, gzipSync('"bpe_simple_vocab_16e6.txt#version: 0.2\nc a\nca t</w>\n'));
    expect((await readClipVocabulary(file)).vocab).toEqual(vocabulary.vocab);
  });

  it('gives a tiny vocabulary that survives a write and a load', async () => {
    const folder = join(dir, 'tiny');
    const tiny = tinyClipVocabulary(32);
    await writeTokenizerFolder(folder, tiny);
    expect((await readClipVocabulary(folder)).vocab).toEqual(tiny.vocab);
  });
});

describe('bad tokenizer files', () => {
  it('names the missing path', async () => {
    await expectTokenizerError(readClipVocabulary(join(dir, 'nope.json')), 'file_not_found', /nope.json: no such file/);
  });

  it('rejects a folder without tokenizer files', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    await expectTokenizerError(readClipVocabulary(empty), 'file_not_found', /neither vocab.json \+ merges.txt nor tokenizer.json/);
  });

  it('rejects a vocab.json that is not JSON', async () => {
    const folder = join(dir, 'bad-json');
    await writeTokenizerFolder(folder, vocabulary);
    await writeFile(join(folder, 'vocab.json'), '{"a": 1,');
    await expectTokenizerError(readClipVocabulary(folder), 'invalid_vocab', /vocab.json: is not valid JSON/);
  });

  it('rejects a vocab.json with a non-integer id', async () => {
    const folder = join(dir, 'bad-id');
    await writeTokenizerFolder(folder, vocabulary);
    await writeFile(join(folder, 'vocab.json'), '{"a": 1.5}');
    await expectTokenizerError(readClipVocabulary(folder), 'invalid_vocab', /token "a" has id 1.5/);
  });

  it('rejects a folder whose merges.txt is missing', async () => {
    const folder = join(dir, 'no-merges');
    await writeTokenizerFolder(folder, vocabulary);
    await rm(join(folder, 'merges.txt'));
    await expectTokenizerError(readClipVocabulary(folder), 'file_not_found', /merges.txt: no such file/);
  });

  it('rejects a merges line that is not a pair', async () => {
    const folder = join(dir, 'bad-merges');
    await writeTokenizerFolder(folder, vocabulary);
    await writeFile(join(folder, 'merges.txt'), '#version: 0.2\nc a\ncat\n');
    await expectTokenizerError(readClipVocabulary(folder), 'invalid_merges', /merges.txt: line 3 is not a merge "left right": "cat"/);
  });

  it('rejects vocab and merges that do not belong together when the tokenizer is built', async () => {
    const folder = join(dir, 'mismatch');
    await writeTokenizerFolder(folder, vocabulary);
    await writeFile(join(folder, 'merges.txt'), '#version: 0.2\nd o\n');
    await expectTokenizerError(loadClipTokenizer(folder), 'invalid_merges', /makes "do", which is not in the vocabulary/);
  });

  it('rejects a corrupt gzip file', async () => {
    const file = join(dir, 'corrupt.txt.gz');
    const gz = gzipSync('header\nc a\n');
    await writeFile(file, gz.subarray(0, gz.length - 6));
    await expectTokenizerError(readClipVocabulary(file), 'invalid_merges', /corrupt.txt.gz: is not a valid gzip file/);
  });

  it('rejects a .gz name that holds plain text', async () => {
    const file = join(dir, 'plain.txt.gz');
    await writeFile(file, 'header\nc a\n');
    await expectTokenizerError(readClipVocabulary(file), 'invalid_merges', /not gzip data/);
  });

  it('rejects a tokenizer.json that is not CLIP (no </w> suffix)', async () => {
    const file = join(dir, 'gpt2.json');
    await writeFile(file, JSON.stringify({ model: { type: 'BPE', vocab: {}, merges: [] } }));
    await expectTokenizerError(readClipVocabulary(file), 'invalid_tokenizer_json', /is not a CLIP tokenizer/);
  });

  it('rejects a tokenizer.json without a BPE model', async () => {
    const file = join(dir, 'wordpiece.json');
    await writeFile(file, JSON.stringify({ model: { type: 'WordPiece' } }));
    await expectTokenizerError(readClipVocabulary(file), 'invalid_tokenizer_json', /has no BPE "model" section/);
  });

  it('rejects a file of another kind', async () => {
    const file = join(dir, 'weights.bin');
    await writeFile(file, 'x');
    await expectTokenizerError(readClipVocabulary(file), 'unreadable_file', /weights.bin: is not a tokenizer folder/);
  });
});
