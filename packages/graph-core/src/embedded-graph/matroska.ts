import { utf8 } from './bytes.js';

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const TAGS = 0x1254c367;
const TAG = 0x7373;
const SIMPLE_TAG = 0x67c8;
const TAG_NAME = 0x45a3;
const TAG_STRING = 0x4487;
const MAX_DEPTH = 8;

interface Element {
  id: number;
  start: number;
  /** End of the payload; for an element of unknown size, the end of its parent. */
  end: number;
  unknownSize: boolean;
}

/** Whether `bytes` starts with an EBML header (Matroska, WebM). */
export function isMatroska(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && readId(bytes, 0)?.value === EBML_HEADER;
}

/** An element ID: a variable-length integer whose marker bit is kept as part of the value. */
function readId(bytes: Uint8Array, offset: number): { value: number; length: number } | undefined {
  const first = bytes[offset];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (length > 4 || offset + length > bytes.length) return undefined;
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + bytes[offset + i]!;
  return { value, length };
}

/** An element size: a variable-length integer without its marker; all value bits set means "unknown". */
function readSize(bytes: Uint8Array, offset: number): { value: number; length: number; unknown: boolean } | undefined {
  const first = bytes[offset];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (offset + length > bytes.length) return undefined;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = bytes[offset + i]!;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value, length, unknown: allOnes };
}

function* elements(bytes: Uint8Array, start: number, end: number): Generator<Element> {
  let offset = start;
  while (offset < end) {
    const id = readId(bytes, offset);
    const size = id && readSize(bytes, offset + id.length);
    if (!id || !size) return;
    const payload = offset + id.length + size.length;
    const elementEnd = size.unknown ? end : payload + size.value;
    if (elementEnd > end) return;
    yield { id: id.value, start: payload, end: elementEnd, unknownSize: size.unknown };
    // An element of unknown size (a live-streamed Segment or Cluster) can only be stepped into, not over.
    offset = size.unknown ? payload : elementEnd;
  }
}

function readSimpleTags(bytes: Uint8Array, parent: Element, depth: number, out: Map<string, string>): void {
  let name: string | undefined;
  let text: string | undefined;
  for (const element of elements(bytes, parent.start, parent.end)) {
    if (element.id === TAG_NAME) name = utf8(bytes.subarray(element.start, element.end));
    else if (element.id === TAG_STRING) text = utf8(bytes.subarray(element.start, element.end));
    else if (element.id === SIMPLE_TAG && depth < MAX_DEPTH) readSimpleTags(bytes, element, depth + 1, out);
  }
  if (name !== undefined && text !== undefined && !out.has(name.toUpperCase())) out.set(name.toUpperCase(), text);
}

/**
 * The SimpleTag name/value pairs under `Segment/Tags/Tag` of a Matroska or WebM file, names upper-cased
 * (ffmpeg's `-metadata comment=…` becomes `COMMENT`). Clusters are stepped over by their sizes; the walk stops at
 * an element of unknown size other than the Segment, or where the file is cut off.
 */
export function readMatroskaTags(bytes: Uint8Array): Map<string, string> {
  const tags = new Map<string, string>();
  for (const top of elements(bytes, 0, bytes.length)) {
    if (top.id !== SEGMENT) continue;
    const segment = { ...top, end: top.unknownSize ? bytes.length : top.end };
    for (const element of elements(bytes, segment.start, segment.end)) {
      if (element.unknownSize) break;
      if (element.id !== TAGS) continue;
      for (const tag of elements(bytes, element.start, element.end)) {
        if (tag.id !== TAG) continue;
        for (const simple of elements(bytes, tag.start, tag.end)) {
          if (simple.id === SIMPLE_TAG) readSimpleTags(bytes, simple, 0, tags);
        }
      }
    }
    break;
  }
  return tags;
}
