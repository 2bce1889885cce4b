import { hasAscii, utf8 } from './bytes.js';

/** Whether `bytes` starts with a GIF87a or GIF89a header. */
export function isGif(bytes: Uint8Array): boolean {
  return hasAscii(bytes, 0, 'GIF87a') || hasAscii(bytes, 0, 'GIF89a');
}

/** Offset just past a chain of data sub-blocks starting at `offset`, or -1 when the chain is cut off. */
function skipSubBlocks(bytes: Uint8Array, offset: number): number {
  let at = offset;
  while (at < bytes.length) {
    const size = bytes[at]!;
    if (size === 0) return at + 1;
    at += 1 + size;
  }
  return -1;
}

function joinSubBlocks(bytes: Uint8Array, offset: number, end: number): Uint8Array {
  const joined = new Uint8Array(end - offset);
  let length = 0;
  for (let at = offset; at < end - 1; ) {
    const size = bytes[at]!;
    joined.set(bytes.subarray(at + 1, at + 1 + size), length);
    length += size;
    at += 1 + size;
  }
  return joined.subarray(0, length);
}

/**
 * The texts of a GIF's Comment Extensions (label 0xFE), in file order, decoded as UTF-8 (of which the 7-bit ASCII
 * the GIF specification asks for is a subset). The walk follows the block structure
 * (extensions, image descriptors with their colour tables and LZW data) and stops at the trailer, at an unknown
 * block or where the file is cut off.
 */
export function readGifComments(bytes: Uint8Array): string[] {
  const comments: string[] = [];
  if (bytes.length < 13) return comments;
  const screenFlags = bytes[10]!;
  let offset = 13 + (screenFlags & 0x80 ? 3 * 2 ** ((screenFlags & 7) + 1) : 0);
  while (offset < bytes.length) {
    const introducer = bytes[offset]!;
    if (introducer === 0x21) {
      const label = bytes[offset + 1];
      const end = skipSubBlocks(bytes, offset + 2);
      if (end < 0) break;
      if (label === 0xfe) comments.push(utf8(joinSubBlocks(bytes, offset + 2, end)));
      offset = end;
    } else if (introducer === 0x2c) {
      const imageFlags = bytes[offset + 9];
      if (imageFlags === undefined) break;
      const tableSize = imageFlags & 0x80 ? 3 * 2 ** ((imageFlags & 7) + 1) : 0;
      const end = skipSubBlocks(bytes, offset + 10 + tableSize + 1);
      if (end < 0) break;
      offset = end;
    } else {
      break;
    }
  }
  return comments;
}
