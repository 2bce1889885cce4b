import { hasAscii, indexOfZero, latin1, u32be, utf8 } from './bytes.js';

/** A PNG text chunk: its keyword and either its text or, for zTXt and compressed iTXt, its zlib stream. */
export interface PngTextEntry {
  key: string;
  text?: string;
  /** zlib-wrapped deflate data (compression method 0), still to be inflated; decoded as `encoding` afterwards. */
  deflated?: Uint8Array;
  encoding: 'latin1' | 'utf8';
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` starts with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function parseTextChunk(data: Uint8Array): PngTextEntry | undefined {
  const nul = indexOfZero(data, 0);
  if (nul <= 0) return undefined;
  return { key: latin1(data.subarray(0, nul)), text: latin1(data.subarray(nul + 1)), encoding: 'latin1' };
}

function parseCompressedTextChunk(data: Uint8Array): PngTextEntry | undefined {
  const nul = indexOfZero(data, 0);
  if (nul <= 0 || data[nul + 1] !== 0) return undefined;
  return { key: latin1(data.subarray(0, nul)), deflated: data.subarray(nul + 2), encoding: 'latin1' };
}

function parseInternationalTextChunk(data: Uint8Array): PngTextEntry | undefined {
  const keyEnd = indexOfZero(data, 0);
  if (keyEnd <= 0 || keyEnd + 2 >= data.length) return undefined;
  const compressed = data[keyEnd + 1] === 1;
  if (compressed && data[keyEnd + 2] !== 0) return undefined;
  const languageEnd = indexOfZero(data, keyEnd + 3);
  if (languageEnd < 0) return undefined;
  const translatedEnd = indexOfZero(data, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  const key = latin1(data.subarray(0, keyEnd));
  const body = data.subarray(translatedEnd + 1);
  return compressed ? { key, deflated: body, encoding: 'utf8' } : { key, text: utf8(body), encoding: 'utf8' };
}

/**
 * The text chunks (tEXt, zTXt, iTXt) of a PNG, in file order. Chunk CRCs are not checked: a damaged payload fails
 * the JSON parse that follows anyway. Reading stops at IEND or at the first chunk that runs past the end, so a
 * truncated file still yields the chunks that precede the cut.
 */
export function readPngTextChunks(bytes: Uint8Array): PngTextEntry[] {
  const entries: PngTextEntry[] = [];
  let offset = 8;
  for (;;) {
    const length = u32be(bytes, offset);
    if (length === undefined || offset + 12 + length > bytes.length) break;
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    let entry: PngTextEntry | undefined;
    if (hasAscii(bytes, offset + 4, 'tEXt')) entry = parseTextChunk(data);
    else if (hasAscii(bytes, offset + 4, 'zTXt')) entry = parseCompressedTextChunk(data);
    else if (hasAscii(bytes, offset + 4, 'iTXt')) entry = parseInternationalTextChunk(data);
    else if (hasAscii(bytes, offset + 4, 'IEND')) break;
    if (entry) entries.push(entry);
    offset += 12 + length;
  }
  return entries;
}
