/** Image formats an upload may be, recognised by their leading bytes rather than by the file name. */
export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'tiff' | 'avif';

/**
 * Identifies an image by its magic bytes. A renamed text file, a zip or an HTML page returns `undefined`, whatever
 * its extension says.
 */
export function sniffImage(head: Uint8Array): ImageKind | undefined {
  const b = (i: number) => head[i] ?? -1;
  const ascii = (start: number, text: string) => [...text].every((c, i) => b(start + i) === c.charCodeAt(0));
  if (b(0) === 0x89 && ascii(1, 'PNG') && b(4) === 0x0d && b(5) === 0x0a && b(6) === 0x1a && b(7) === 0x0a) return 'png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, 'BM') && head.length >= 26) return 'bmp';
  if (ascii(0, 'II*\0') || ascii(0, 'MM\0*')) return 'tiff';
  if (ascii(4, 'ftyp') && (ascii(8, 'avif') || ascii(8, 'avis'))) return 'avif';
  return undefined;
}
