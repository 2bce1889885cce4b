import { hasAscii, u16, u32, utf8 } from './bytes.js';

const TIFF_ASCII = 2;
const MAX_IFD_ENTRIES = 4096;

/**
 * The ASCII-typed values of IFD0 in an EXIF block (with or without the `Exif\0\0` prefix), decoded as UTF-8 because
 * ComfyUI stores JSON there byte for byte. ComfyUI's SaveAnimatedWEBP, and piagraph's WebP writer, put
 * `workflow:{…}`, `prompt:{…}` (and `piagraph:{…}`) strings in IFD0's Make, Model and ImageDescription tags.
 */
export function readExifAsciiStrings(block: Uint8Array): string[] {
  const tiff = hasAscii(block, 0, 'Exif\0\0') ? block.subarray(6) : block;
  const littleEndian = hasAscii(tiff, 0, 'II');
  if (!littleEndian && !hasAscii(tiff, 0, 'MM')) return [];
  if (u16(tiff, 2, littleEndian) !== 42) return [];
  const ifd = u32(tiff, 4, littleEndian);
  const count = ifd === undefined ? undefined : u16(tiff, ifd, littleEndian);
  if (ifd === undefined || count === undefined || count > MAX_IFD_ENTRIES) return [];
  const strings: string[] = [];
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    const type = u16(tiff, entry + 2, littleEndian);
    const length = u32(tiff, entry + 4, littleEndian);
    if (type === undefined || length === undefined) break;
    if (type !== TIFF_ASCII) continue;
    const start = length <= 4 ? entry + 8 : u32(tiff, entry + 8, littleEndian);
    if (start === undefined || start + length > tiff.length) continue;
    strings.push(utf8(tiff.subarray(start, start + length)).replace(/\0+$/, ''));
  }
  return strings;
}
