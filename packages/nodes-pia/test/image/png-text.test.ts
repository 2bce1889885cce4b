import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrameDataError, insertPngTextChunks } from '../../src/image/index.js';

/** Bit-by-bit CRC-32 (polynomial 0xEDB88320), independent of zlib's table-driven one. */
function naiveCrc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The chunks of a PNG as [type, data, crc ok?]. */
function chunks(png: Buffer): Array<[string, Buffer, boolean]> {
  const out: Array<[string, Buffer, boolean]> = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const typed = png.subarray(offset + 4, offset + 8 + length);
    out.push([typed.toString('latin1', 0, 4), typed.subarray(4), naiveCrc32(typed) === png.readUInt32BE(offset + 8 + length)]);
    offset += 12 + length;
  }
  return out;
}

let png: Buffer;
beforeAll(async () => {
  png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } }).png().toBuffer();
});

describe('insertPngTextChunks', () => {
  it('puts a tEXt chunk with a valid CRC right after IHDR', () => {
    const out = chunks(insertPngTextChunks(png, [{ key: 'prompt', text: '{"a":1}' }]));
    expect(out.slice(0, 2).map(([type]) => type)).toEqual(['IHDR', 'tEXt']);
    expect(out[1]![1].toString('latin1')).toBe('prompt\0{"a":1}');
    expect(out.every(([, , crcOk]) => crcOk)).toBe(true);
  });

  it('switches to iTXt for text outside Latin-1, as PIL does', () => {
    const [, itxt] = chunks(insertPngTextChunks(png, [{ key: 'piagraph', text: '{"t":"猫"}' }]));
    expect(itxt![0]).toBe('iTXt');
    expect([...itxt![1]]).toEqual([...Buffer.from('piagraph\0\0\0\0\0', 'latin1'), ...Buffer.from('{"t":"猫"}', 'utf8')]);
  });

  it('leaves the image decodable', async () => {
    const out = insertPngTextChunks(png, [{ key: 'workflow', text: '{}' }]);
    expect([...(await sharp(out).raw().toBuffer()).subarray(0, 3)]).toEqual([0x33, 0x66, 0x99]);
  });

  it('refuses bytes that are not a PNG', () => {
    expect(() => insertPngTextChunks(Buffer.from('GIF89a not a png at all, really not'), [])).toThrow(
      new FrameDataError('Cannot add text chunks: the bytes are not a PNG starting with IHDR'),
    );
  });

  it('refuses an empty or over-long keyword', () => {
    expect(() => insertPngTextChunks(png, [{ key: '', text: 'x' }])).toThrow('PNG text keyword must be 1–79 printable Latin-1 characters, got ""');
    expect(() => insertPngTextChunks(png, [{ key: 'k'.repeat(80), text: 'x' }])).toThrow('PNG text keyword must be 1–79');
  });
});
