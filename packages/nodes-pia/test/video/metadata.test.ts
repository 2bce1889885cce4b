import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { asciiJson, insertGifComment, metadataComment, VideoWriteError } from '../../src/video/index.js';
import { ffmetadataFile, metadataEntries, metadataExif } from '../../src/video/metadata.js';

describe('asciiJson', () => {
  it('escapes non-ASCII characters, astral ones as surrogate pairs', () => {
    expect(asciiJson('{"t":"é😺"}')).toBe('{"t":"\\u00e9\\ud83d\\ude3a"}');
  });

  it('keeps the JSON value the same', () => {
    const value = { t: 'chat qui dort 😺', n: [1, 'ü'] };
    expect(JSON.parse(asciiJson(JSON.stringify(value)))).toEqual(value);
  });
});

describe('metadataEntries', () => {
  it('orders entries workflow, prompt, piagraph and skips absent ones', () => {
    expect(metadataEntries({ graph: '{"g":1}', prompt: '{"p":1}' })).toEqual([
      ['prompt', '{"p":1}'],
      ['piagraph', '{"g":1}'],
    ]);
  });

  it('names the field that is not JSON', () => {
    expect(() => metadataEntries({ workflow: 'nope' })).toThrow(VideoWriteError);
    expect(() => metadataEntries({ workflow: 'nope' })).toThrow(/^Metadata "workflow" is not valid JSON: /);
  });
});

describe('metadataComment', () => {
  it('builds one JSON object keyed by the file keys', () => {
    expect(metadataComment([['prompt', '{"p":"é"}'], ['piagraph', '[1]']])).toBe('{"prompt":{"p":"\\u00e9"},"piagraph":[1]}');
  });

  it('is undefined when there is nothing to embed', () => {
    expect(metadataComment([])).toBeUndefined();
  });
});

describe('metadataExif', () => {
  it('puts workflow in Make, prompt in Model and piagraph in ImageDescription, as key:json', () => {
    expect(metadataExif([['workflow', '{}'], ['prompt', '{"a":1}'], ['piagraph', '{"é":0}']])).toEqual({
      Make: 'workflow:{}',
      Model: 'prompt:{"a":1}',
      ImageDescription: 'piagraph:{"\\u00e9":0}',
    });
  });
});

describe('ffmetadataFile', () => {
  it('backslash-escapes =, ;, #, backslash and newline', () => {
    expect(ffmetadataFile('a=b;c#d\\e\nf')).toBe(';FFMETADATA1\ncomment=a\\=b\\;c\\#d\\\\e\\\nf\n');
  });
});

describe('insertGifComment', () => {
  it('inserts the comment after the global colour table, keeping the GIF decodable', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ff0000' } }).gif().toBuffer();
    const withComment = insertGifComment(gif, 'x'.repeat(300));
    const flags = gif[10]!;
    const at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
    // Extension introducer, comment label, a full 255-byte sub-block, a 45-byte one, the terminator.
    expect([withComment[at], withComment[at + 1], withComment[at + 2], withComment[at + 258], withComment[at + 304]]).toEqual([0x21, 0xfe, 255, 45, 0]);
    expect(withComment.length).toBe(gif.length + 2 + 1 + 255 + 1 + 45 + 1);
    expect([...(await sharp(withComment).raw().toBuffer()).subarray(0, 3)]).toEqual([255, 0, 0]);
  });

  it('refuses bytes that are not a GIF', () => {
    expect(() => insertGifComment(Buffer.from('not a gif, definitely'), 'x')).toThrow('Cannot add a GIF comment: the encoder did not produce a GIF');
  });
});
