/**
 * Bounds-checked reads over a `Uint8Array`. Every container walker reads untrusted bytes (a file dropped on the
 * editor), so each read returns `undefined` past the end instead of throwing or reading garbage.
 */

/** Big-endian unsigned 32-bit integer at `offset`, or `undefined` when it would run past the end. */
export function u32be(bytes: Uint8Array, offset: number): number | undefined {
  if (offset < 0 || offset + 4 > bytes.length) return undefined;
  return ((bytes[offset]! << 24) >>> 0) + (bytes[offset + 1]! << 16) + (bytes[offset + 2]! << 8) + bytes[offset + 3]!;
}

/** Little-endian unsigned 32-bit integer at `offset`, or `undefined` when it would run past the end. */
export function u32le(bytes: Uint8Array, offset: number): number | undefined {
  if (offset < 0 || offset + 4 > bytes.length) return undefined;
  return ((bytes[offset + 3]! << 24) >>> 0) + (bytes[offset + 2]! << 16) + (bytes[offset + 1]! << 8) + bytes[offset]!;
}

/** Unsigned 16-bit integer at `offset` in either byte order, or `undefined` past the end. */
export function u16(bytes: Uint8Array, offset: number, littleEndian: boolean): number | undefined {
  if (offset < 0 || offset + 2 > bytes.length) return undefined;
  return littleEndian ? bytes[offset]! | (bytes[offset + 1]! << 8) : (bytes[offset]! << 8) | bytes[offset + 1]!;
}

/** Unsigned 32-bit integer at `offset` in either byte order, or `undefined` past the end. */
export function u32(bytes: Uint8Array, offset: number, littleEndian: boolean): number | undefined {
  return littleEndian ? u32le(bytes, offset) : u32be(bytes, offset);
}

/** Whether `bytes` holds the ASCII string `text` at `offset`. */
export function hasAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (offset < 0 || offset + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Decodes ISO-8859-1 exactly. `TextDecoder('latin1')` is not used because browsers map that label to
 * windows-1252, which differs in 0x80–0x9F.
 */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x8000, bytes.length)));
  }
  return text;
}

const utf8Decoder = new TextDecoder('utf-8');

/** Decodes UTF-8, replacing malformed sequences rather than throwing. */
export function utf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** Index of the first zero byte at or after `from` (before `end`), or -1. */
export function indexOfZero(bytes: Uint8Array, from: number, end = bytes.length): number {
  for (let i = from; i < end; i++) if (bytes[i] === 0) return i;
  return -1;
}
