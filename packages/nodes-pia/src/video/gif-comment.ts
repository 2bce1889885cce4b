import { VideoWriteError } from './errors.js';

/**
 * Inserts a GIF89a Comment Extension holding `text` (ASCII) right after the logical screen descriptor and global
 * colour table. libvips' GIF writer has no comment option, so the bytes are edited after encoding.
 */
export function insertGifComment(gif: Uint8Array, text: string): Buffer {
  const bytes = Buffer.from(gif.buffer, gif.byteOffset, gif.length);
  const header = bytes.toString('latin1', 0, 6);
  if (bytes.length < 13 || (header !== 'GIF89a' && header !== 'GIF87a')) {
    throw new VideoWriteError('encode-failed', 'Cannot add a GIF comment: the encoder did not produce a GIF');
  }
  const flags = bytes[10]!;
  const afterHeader = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  const data = Buffer.from(text, 'latin1');
  const blocks: Buffer[] = [Buffer.from([0x21, 0xfe])];
  for (let i = 0; i < data.length; i += 255) {
    const part = data.subarray(i, i + 255);
    blocks.push(Buffer.from([part.length]), part);
  }
  blocks.push(Buffer.from([0]));
  // Extensions are a GIF89a feature; a GIF87a header is upgraded so that strict readers accept the block.
  const head = Buffer.from(bytes.subarray(0, afterHeader));
  head.write('GIF89a', 0, 'latin1');
  return Buffer.concat([head, ...blocks, bytes.subarray(afterHeader)]);
}
