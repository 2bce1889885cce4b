/**
 * Reading a graph back out of an output file (a PNG, WebP, GIF, MP4 or WebM that piagraph, ComfyUI or
 * VideoHelperSuite wrote). Pure TypeScript over a `Uint8Array`, so the editor can call it on a dropped file.
 */
import { utf8, latin1 } from './bytes.js';
import { EntryCollector } from './entries.js';
import { readExifAsciiStrings } from './exif.js';
import { isGif, readGifComments } from './gif.js';
import { isMatroska, readMatroskaTags } from './matroska.js';
import { isMp4, readMp4Comments } from './mp4.js';
import { isPng, readPngTextChunks, type PngTextEntry } from './png.js';
import type { EmbeddedGraph, EmbeddedGraphContainer } from './types.js';
import { isWebp, readWebpChunks } from './webp.js';

export type { EmbeddedGraph, EmbeddedGraphContainer } from './types.js';

/** Which container `bytes` holds, judged from its leading bytes; undefined for anything else. */
export function detectEmbeddedGraphContainer(bytes: Uint8Array): EmbeddedGraphContainer | undefined {
  if (isPng(bytes)) return 'png';
  if (isWebp(bytes)) return 'webp';
  if (isGif(bytes)) return 'gif';
  if (isMp4(bytes)) return 'mp4';
  if (isMatroska(bytes)) return 'matroska';
  return undefined;
}

function collectPngEntries(entries: PngTextEntry[], collector: EntryCollector): void {
  for (const entry of entries) if (entry.text !== undefined) collector.addKeyed(entry.key, entry.text);
}

function collect(bytes: Uint8Array, container: EmbeddedGraphContainer, collector: EntryCollector): void {
  switch (container) {
    case 'png':
      collectPngEntries(readPngTextChunks(bytes), collector);
      return;
    case 'webp':
      for (const exif of readWebpChunks(bytes, 'EXIF')) {
        for (const text of readExifAsciiStrings(exif)) collector.addKeyColonText(text);
      }
      return;
    case 'gif':
      for (const text of readGifComments(bytes)) collector.addComment(text);
      return;
    case 'mp4':
      for (const text of readMp4Comments(bytes)) collector.addComment(text);
      return;
    case 'matroska': {
      const comment = readMatroskaTags(bytes).get('COMMENT');
      if (comment !== undefined) collector.addComment(comment);
      return;
    }
  }
}

/**
 * The workflow, API prompt and piagraph graph document embedded in an output file, or null when the bytes are
 * not a recognised container or carry none of them. Never throws, whatever the bytes.
 *
 * Where each format keeps them:
 * - PNG: `tEXt` / uncompressed `iTXt` chunks keyed `workflow`, `prompt`, `piagraph` (ComfyUI's SaveImage layout).
 *   `zTXt` and compressed `iTXt` need an inflater: use {@link extractEmbeddedGraphAsync} for those.
 * - WebP: the `EXIF` chunk's IFD0 ASCII strings `workflow:{…}`, `prompt:{…}`, `piagraph:{…}` (ComfyUI's
 *   SaveAnimatedWEBP layout). XMP is not read.
 * - GIF: Comment Extensions holding a JSON object `{"workflow":…,"prompt":…,"piagraph":…}`.
 * - MP4 / MOV: the `comment` tag (`©cmt`), same JSON object; a value that is itself a JSON string (as
 *   VideoHelperSuite stores `prompt`) is parsed once more.
 * - WebM / Matroska: the `COMMENT` SimpleTag, same JSON object.
 */
export function extractEmbeddedGraph(bytes: Uint8Array): EmbeddedGraph | null {
  try {
    const container = detectEmbeddedGraphContainer(bytes);
    if (!container) return null;
    const collector = new EntryCollector();
    collect(bytes, container, collector);
    return collector.result();
  } catch {
    // The walkers are bounds-checked; this guards against a pathological input the checks did not foresee.
    return null;
  }
}

async function inflate(deflated: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([deflated as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * {@link extractEmbeddedGraph}, plus PNG `zTXt` and compressed `iTXt` chunks, inflated with the platform's
 * `DecompressionStream` (browsers, Node ≥ 18). Without that API it behaves exactly like the synchronous form.
 */
export async function extractEmbeddedGraphAsync(bytes: Uint8Array): Promise<EmbeddedGraph | null> {
  if (!isPng(bytes) || typeof DecompressionStream === 'undefined') return extractEmbeddedGraph(bytes);
  try {
    const collector = new EntryCollector();
    for (const entry of readPngTextChunks(bytes)) {
      if (entry.text !== undefined) {
        collector.addKeyed(entry.key, entry.text);
        continue;
      }
      if (!entry.deflated) continue;
      try {
        const raw = await inflate(entry.deflated);
        collector.addKeyed(entry.key, entry.encoding === 'utf8' ? utf8(raw) : latin1(raw));
      } catch {
        // A corrupt zlib stream loses that one entry, not the others.
      }
    }
    return collector.result();
  } catch {
    return null;
  }
}
