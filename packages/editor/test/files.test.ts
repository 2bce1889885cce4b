import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { documentFromFile } from '../src/app/files.js';
import { parseObjectInfo } from '../src/defs/object-info.js';
import { registryFromSchemas } from '../src/defs/client-registry.js';
import { UnsupportedGraphError } from '../src/document/import.js';
import { samplerDocument } from './fixtures/docs.js';
import { objectInfo } from './fixtures/object-info.js';

const registry = registryFromSchemas(parseObjectInfo(objectInfo).values());

/** One PNG chunk: length, type, data, CRC over type and data (PNG spec §5.3). */
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 1×1 PNG whose tEXt chunk `piagraph` holds `text`, the way piagraph's writers embed a graph. */
function pngWithText(key: string, text: string): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('documentFromFile', () => {
  it('restores the graph embedded in a PNG output', async () => {
    const file = new File([new Uint8Array(pngWithText('piagraph', JSON.stringify(samplerDocument())))], 'out.png', { type: 'image/png' });
    expect((await documentFromFile(file, registry)).doc).toEqual(samplerDocument());
  });

  it('reads a JSON file by its content', async () => {
    const file = new File([JSON.stringify(samplerDocument())], 'graph.json');
    expect((await documentFromFile(file, registry)).doc).toEqual(samplerDocument());
  });

  it('refuses an image that carries no graph', async () => {
    const file = new File([new Uint8Array(pngWithText('Comment', 'hello'))], 'plain.png');
    await expect(documentFromFile(file, registry)).rejects.toBeInstanceOf(UnsupportedGraphError);
  });
});
