import { hasAscii, u32le } from './bytes.js';

/** Whether `bytes` is a RIFF WebP file. */
export function isWebp(bytes: Uint8Array): boolean {
  return hasAscii(bytes, 0, 'RIFF') && hasAscii(bytes, 8, 'WEBP');
}

/**
 * Payloads of the RIFF chunks of a WebP file whose FourCC is `fourCC` (`EXIF`, `XMP `), in file order.
 * A chunk that runs past the end of the bytes is ignored.
 */
export function readWebpChunks(bytes: Uint8Array, fourCC: string): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 12;
  for (;;) {
    const size = u32le(bytes, offset + 4);
    if (size === undefined || offset + 8 + size > bytes.length) break;
    if (hasAscii(bytes, offset, fourCC)) chunks.push(bytes.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size + (size & 1);
  }
  return chunks;
}
