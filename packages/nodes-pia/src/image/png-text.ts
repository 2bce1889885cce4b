import { crc32 } from 'node:zlib';
import { FrameDataError } from './errors.js';

/** One text entry for a PNG: its keyword (1–79 Latin-1 characters) and its text. */
export interface PngTextEntry {
  key: string;
  text: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const LATIN1 = /^[\u0000-\u00ff]*$/;

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * A `tEXt` chunk when the text is Latin-1, else an uncompressed `iTXt` chunk (UTF-8): the same choice PIL's
 * `PngInfo.add_text` makes, which is how ComfyUI writes `workflow` and `prompt`.
 */
function textChunk({ key, text }: PngTextEntry): Buffer {
  const keyword = Buffer.from(key, 'latin1');
  if (LATIN1.test(text)) return chunk('tEXt', Buffer.concat([keyword, Buffer.from([0]), Buffer.from(text, 'latin1')]));
  // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text.
  return chunk('iTXt', Buffer.concat([keyword, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
}

/**
 * Inserts text chunks into an encoded PNG right after its IHDR chunk (sharp cannot write them). Readers that stop
 * at the first IDAT, as some browsers' metadata readers do, still see them there.
 */
export function insertPngTextChunks(png: Uint8Array, entries: readonly PngTextEntry[]): Buffer {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.length);
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw new FrameDataError('Cannot add text chunks: the bytes are not a PNG starting with IHDR');
  }
  for (const { key } of entries) {
    if (!/^[\u0020-\u007e\u00a1-\u00ff]{1,79}$/.test(key)) {
      throw new FrameDataError(`PNG text keyword must be 1–79 printable Latin-1 characters, got ${JSON.stringify(key)}`);
    }
  }
  const afterIhdr = 8 + 12 + bytes.readUInt32BE(8);
  return Buffer.concat([bytes.subarray(0, afterIhdr), ...entries.map(textChunk), bytes.subarray(afterIhdr)]);
}
