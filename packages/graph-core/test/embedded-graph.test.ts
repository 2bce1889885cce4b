import { describe, expect, it } from 'vitest';
import {
  detectEmbeddedGraphContainer,
  extractEmbeddedGraph,
  extractEmbeddedGraphAsync,
} from '../src/embedded-graph/index.js';

// Every fixture below is built byte by byte from the format specifications, independently of the parser.

const WORKFLOW = { last_node_id: 3, nodes: [{ id: 1, type: 'LoadImage' }] };
const PROMPT = { '1': { class_type: 'LoadImage', inputs: { image: 'cat.png' } } };
const GRAPH = { version: 1, name: 'café ☕', nodes: {} };

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
const be32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const le32 = (n: number): number[] => be32(n).reverse();
const le16 = (n: number): number[] => [n & 255, (n >>> 8) & 255];
const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

/** Bit-by-bit CRC-32 (polynomial 0xEDB88320), the textbook form, for PNG chunk checksums. */
function naiveCrc32(data: number[]): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: number[]): number[] {
  const typed = [...ascii(type), ...data];
  return [...be32(data.length), ...typed, ...be32(naiveCrc32(typed))];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const IHDR = pngChunk('IHDR', [...be32(1), ...be32(1), 8, 2, 0, 0, 0]);
const IEND = pngChunk('IEND', []);

function png(...chunks: number[][]): Uint8Array {
  return bytes(PNG_SIGNATURE, IHDR, ...chunks, IEND);
}

const tEXt = (key: string, text: string): number[] => pngChunk('tEXt', [...ascii(key), 0, ...ascii(text)]);
const iTXt = (key: string, text: string): number[] =>
  pngChunk('iTXt', [...ascii(key), 0, 0, 0, ...ascii('en'), 0, 0, ...utf8(text)]);

async function deflate(data: number[]): Promise<number[]> {
  const stream = new Blob([Uint8Array.from(data)]).stream().pipeThrough(new CompressionStream('deflate'));
  return [...new Uint8Array(await new Response(stream).arrayBuffer())];
}

/** A little- or big-endian TIFF block with one IFD0 whose entries are ASCII strings stored after the IFD. */
function tiffWithStrings(strings: Array<[tag: number, text: string]>, bigEndian = false): number[] {
  const u16 = (n: number): number[] => (bigEndian ? le16(n).reverse() : le16(n));
  const u32 = (n: number): number[] => (bigEndian ? be32(n) : le32(n));
  const ifdStart = 8;
  let dataOffset = ifdStart + 2 + strings.length * 12 + 4;
  const entries: number[] = [];
  const data: number[] = [];
  for (const [tag, text] of strings) {
    const value = [...utf8(text), 0];
    entries.push(...u16(tag), ...u16(2), ...u32(value.length), ...u32(dataOffset));
    data.push(...value);
    dataOffset += value.length;
  }
  return [...ascii(bigEndian ? 'MM' : 'II'), ...u16(42), ...u32(ifdStart), ...u16(strings.length), ...entries, ...u32(0), ...data];
}

function riffChunk(fourCC: string, data: number[]): number[] {
  return [...ascii(fourCC), ...le32(data.length), ...data, ...(data.length % 2 ? [0] : [])];
}

function webp(...chunks: number[][]): Uint8Array {
  const body = [...ascii('WEBP'), ...chunks.flat()];
  return bytes(ascii('RIFF'), le32(body.length), body);
}

const VP8X = riffChunk('VP8X', [0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** A GIF89a without a global colour table whose comment is split into sub-blocks of at most 255 bytes. */
function gif(comment: string, extraBlocks: number[] = []): Uint8Array {
  const text = utf8(comment);
  const subBlocks: number[] = [];
  for (let i = 0; i < text.length; i += 255) {
    const part = text.slice(i, i + 255);
    subBlocks.push(part.length, ...part);
  }
  const image = [0x2c, ...le16(0), ...le16(0), ...le16(1), ...le16(1), 0, 2, 2, 0x4c, 0x01, 0];
  return bytes(ascii('GIF89a'), le16(1), le16(1), [0, 0, 0], extraBlocks, image, [0x21, 0xfe, ...subBlocks, 0], [0x3b]);
}

function box(type: string, ...payload: number[][]): number[] {
  const body = payload.flat();
  return [...be32(8 + body.length), ...[...type].map((c) => c.charCodeAt(0)), ...body];
}

/** moov/udta/meta/ilst/©cmt/data as ffmpeg's MP4 muxer lays it out (meta is a full box). */
function mp4(comment: string, options: { moovLast?: boolean } = {}): Uint8Array {
  const ftyp = box('ftyp', ascii('isom'), be32(512), ascii('isomiso2'));
  const data = box('data', be32(1), be32(0), utf8(comment));
  const ilst = box('ilst', box('\u00a9cmt', data));
  const hdlr = box('hdlr', be32(0), be32(0), ascii('mdir'), ascii('appl'), be32(0), be32(0), [0, 0]);
  const moov = box('moov', box('mvhd', new Array<number>(100).fill(0)), box('udta', box('meta', be32(0), hdlr, ilst)));
  const mdat = box('mdat', new Array<number>(64).fill(7));
  return options.moovLast ? bytes(ftyp, mdat, moov) : bytes(ftyp, moov, mdat);
}

/** An EBML element with a 1-byte-marker size of 8 bytes (the form ffmpeg writes for large elements). */
function ebml(id: number[], ...payload: number[][]): number[] {
  const body = payload.flat();
  const size = [0x01, 0, 0, ...be32(Math.floor(body.length / 2 ** 32)).slice(3), ...be32(body.length)];
  return [...id, ...size, ...body];
}

function webm(tags: Array<[string, string]>, segmentSizeUnknown = false): Uint8Array {
  const header = ebml([0x1a, 0x45, 0xdf, 0xa3], ebml([0x42, 0x82], ascii('webm')));
  const info = ebml([0x15, 0x49, 0xa9, 0x66], ebml([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40]));
  const simpleTags = tags.map(([name, text]) =>
    ebml([0x67, 0xc8], ebml([0x45, 0xa3], utf8(name)), ebml([0x44, 0x87], utf8(text))),
  );
  const tagsElement = ebml([0x12, 0x54, 0xc3, 0x67], ebml([0x73, 0x73], ebml([0x63, 0xc0]), ...simpleTags));
  const cluster = ebml([0x1f, 0x43, 0xb6, 0x75], ebml([0xe7], [0]), new Array<number>(40).fill(0xa3));
  const children = [...info, ...cluster, ...tagsElement];
  const segment = segmentSizeUnknown
    ? [0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...children]
    : ebml([0x18, 0x53, 0x80, 0x67], children);
  return bytes(header, segment);
}

const COMMENT = JSON.stringify({ workflow: WORKFLOW, prompt: PROMPT, piagraph: GRAPH });

describe('extractEmbeddedGraph on PNG', () => {
  it('reads workflow and prompt from tEXt chunks with valid CRCs', () => {
    const file = png(tEXt('workflow', JSON.stringify(WORKFLOW)), tEXt('prompt', JSON.stringify(PROMPT)));
    expect(extractEmbeddedGraph(file)).toEqual({ workflow: WORKFLOW, prompt: PROMPT });
  });

  it('reads UTF-8 text from an uncompressed iTXt chunk', () => {
    expect(extractEmbeddedGraph(png(iTXt('piagraph', JSON.stringify(GRAPH))))).toEqual({ graph: GRAPH });
  });

  it('ignores text chunks under other keywords', () => {
    expect(extractEmbeddedGraph(png(tEXt('Software', '{"a":1}')))).toBeNull();
  });

  it('skips a chunk whose text is not JSON and keeps the others', () => {
    const file = png(tEXt('prompt', '{not json'), tEXt('workflow', JSON.stringify(WORKFLOW)));
    expect(extractEmbeddedGraph(file)).toEqual({ workflow: WORKFLOW });
  });

  it('does not inflate zTXt synchronously', async () => {
    const z = pngChunk('zTXt', [...ascii('prompt'), 0, 0, ...(await deflate(ascii(JSON.stringify(PROMPT))))]);
    expect(extractEmbeddedGraph(png(z))).toBeNull();
  });

  it('inflates zTXt and compressed iTXt in the async form', async () => {
    const z = pngChunk('zTXt', [...ascii('prompt'), 0, 0, ...(await deflate(ascii(JSON.stringify(PROMPT))))]);
    const compressedText = await deflate(utf8(JSON.stringify(GRAPH)));
    const i = pngChunk('iTXt', [...ascii('piagraph'), 0, 1, 0, 0, 0, ...compressedText]);
    expect(await extractEmbeddedGraphAsync(png(z, i))).toEqual({ prompt: PROMPT, graph: GRAPH });
  });

  it('returns null when the file is cut inside the text chunk', () => {
    const file = png(tEXt('workflow', JSON.stringify(WORKFLOW)));
    expect(extractEmbeddedGraph(file.subarray(0, file.length - 30))).toBeNull();
  });
});

describe('extractEmbeddedGraph on WebP', () => {
  const strings: Array<[number, string]> = [
    [0x010f, `workflow:${JSON.stringify(WORKFLOW)}`],
    [0x0110, `prompt:${JSON.stringify(PROMPT)}`],
    [0x010e, `piagraph:${JSON.stringify(GRAPH)}`],
  ];

  it('reads ComfyUI-style key:value strings from a little-endian EXIF chunk with the Exif prefix', () => {
    const file = webp(VP8X, riffChunk('EXIF', [...ascii('Exif'), 0, 0, ...tiffWithStrings(strings)]));
    expect(extractEmbeddedGraph(file)).toEqual({ workflow: WORKFLOW, prompt: PROMPT, graph: GRAPH });
  });

  it('reads a big-endian EXIF chunk without the Exif prefix', () => {
    const file = webp(VP8X, riffChunk('EXIF', tiffWithStrings(strings.slice(1, 2), true)));
    expect(extractEmbeddedGraph(file)).toEqual({ prompt: PROMPT });
  });

  it('returns null for a WebP without an EXIF chunk', () => {
    expect(extractEmbeddedGraph(webp(VP8X, riffChunk('VP8L', [0x2f, 0, 0, 0, 0])))).toBeNull();
  });
});

describe('extractEmbeddedGraph on GIF', () => {
  it('reads a JSON comment split across several sub-blocks', () => {
    const big = { ...WORKFLOW, padding: 'x'.repeat(600) };
    const comment = JSON.stringify({ workflow: big, prompt: PROMPT });
    expect(extractEmbeddedGraph(gif(comment))).toEqual({ workflow: big, prompt: PROMPT });
  });

  it('finds the comment after an application extension and an image', () => {
    const netscape = [0x21, 0xff, 0x0b, ...ascii('NETSCAPE2.0'), 3, 1, 0, 0, 0];
    expect(extractEmbeddedGraph(gif(COMMENT, netscape))).toEqual({ workflow: WORKFLOW, prompt: PROMPT, graph: GRAPH });
  });

  it('returns null for a comment that is plain text', () => {
    expect(extractEmbeddedGraph(gif('made with love'))).toBeNull();
  });
});

describe('extractEmbeddedGraph on MP4', () => {
  it('reads the ©cmt item of moov/udta/meta/ilst', () => {
    expect(extractEmbeddedGraph(mp4(COMMENT))).toEqual({ workflow: WORKFLOW, prompt: PROMPT, graph: GRAPH });
  });

  it('finds moov after mdat when the file was not written with faststart', () => {
    expect(extractEmbeddedGraph(mp4(COMMENT, { moovLast: true }))?.graph).toEqual(GRAPH);
  });

  it('parses a prompt stored as a JSON string, as VideoHelperSuite writes it', () => {
    const vhs = JSON.stringify({ prompt: JSON.stringify(PROMPT), workflow: WORKFLOW });
    expect(extractEmbeddedGraph(mp4(vhs))).toEqual({ workflow: WORKFLOW, prompt: PROMPT });
  });

  it('returns null when moov is cut off', () => {
    const file = mp4(COMMENT);
    expect(extractEmbeddedGraph(file.subarray(0, 60))).toBeNull();
  });
});

describe('extractEmbeddedGraph on WebM', () => {
  it('reads the COMMENT SimpleTag behind a cluster', () => {
    expect(extractEmbeddedGraph(webm([['ENCODER', 'x'], ['COMMENT', COMMENT]]))).toEqual({
      workflow: WORKFLOW,
      prompt: PROMPT,
      graph: GRAPH,
    });
  });

  it('reads tags inside a segment of unknown size', () => {
    expect(extractEmbeddedGraph(webm([['comment', COMMENT]], true))?.prompt).toEqual(PROMPT);
  });

  it('returns null when the tags are cut off', () => {
    const file = webm([['COMMENT', COMMENT]]);
    expect(extractEmbeddedGraph(file.subarray(0, file.length - 10))).toBeNull();
  });
});

describe('extractEmbeddedGraph on anything else', () => {
  it('returns null for an empty array', () => {
    expect(extractEmbeddedGraph(new Uint8Array(0))).toBeNull();
  });

  it('returns null for text that is not a container', () => {
    expect(extractEmbeddedGraph(new TextEncoder().encode(COMMENT))).toBeNull();
  });

  it('returns null without throwing for every prefix of every fixture', () => {
    const fixtures = [
      png(tEXt('prompt', JSON.stringify(PROMPT))),
      webp(VP8X, riffChunk('EXIF', tiffWithStrings([[0x0110, `prompt:${JSON.stringify(PROMPT)}`]]))),
      gif(COMMENT),
      mp4(COMMENT),
      webm([['COMMENT', COMMENT]]),
    ];
    for (const file of fixtures) {
      // Every prefix that ends before the metadata's last byte must give null; none may throw.
      for (let length = 0; length < file.length; length += 7) {
        expect(() => extractEmbeddedGraph(file.subarray(0, length))).not.toThrow();
      }
      expect(extractEmbeddedGraph(file.subarray(0, 20))).toBeNull();
    }
  });

  it('returns null without throwing for seeded random bytes behind each signature', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed & 255;
    };
    const heads = [PNG_SIGNATURE, [...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBP')], ascii('GIF89a'), [0, 0, 0, 0, ...ascii('ftyp')], [0x1a, 0x45, 0xdf, 0xa3]];
    for (const head of heads) {
      for (let trial = 0; trial < 50; trial++) {
        const file = bytes(head, Array.from({ length: 200 }, random));
        expect(extractEmbeddedGraph(file)).toBeNull();
      }
    }
  });

  it('names the container from the leading bytes', () => {
    expect([png(), webp(VP8X), gif('x'), mp4('{}'), webm([])].map(detectEmbeddedGraphContainer)).toEqual([
      'png',
      'webp',
      'gif',
      'mp4',
      'matroska',
    ]);
  });
});
