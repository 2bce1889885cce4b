import { hasAscii, u16, u32be, utf8 } from './bytes.js';

interface Box {
  type: string;
  /** Offset of the payload, after the header. */
  start: number;
  end: number;
}

const DATA_TYPE_UTF8 = 1;

/** Whether `bytes` looks like an ISO BMFF / QuickTime file: an `ftyp` box first. */
export function isMp4(bytes: Uint8Array): boolean {
  return hasAscii(bytes, 4, 'ftyp');
}

function fourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + 4));
}

/**
 * The boxes directly inside `[start, end)`. A 64-bit size is honoured; size 0 means "to the end of the parent".
 * Iteration stops at the first box whose size is impossible, so truncated files yield their intact prefix.
 */
function* boxes(bytes: Uint8Array, start: number, end: number): Generator<Box> {
  let offset = start;
  while (offset + 8 <= end) {
    const size32 = u32be(bytes, offset)!;
    const type = fourCC(bytes, offset + 4);
    let header = 8;
    let size = size32;
    if (size32 === 1) {
      const high = u32be(bytes, offset + 8);
      const low = u32be(bytes, offset + 12);
      if (high === undefined || low === undefined) return;
      size = high * 2 ** 32 + low;
      header = 16;
    } else if (size32 === 0) {
      size = end - offset;
    }
    if (size < header || offset + size > end) return;
    yield { type, start: offset + header, end: offset + size };
    offset += size;
  }
}

function child(bytes: Uint8Array, parent: Box, type: string): Box | undefined {
  for (const box of boxes(bytes, parent.start, parent.end)) if (box.type === type) return box;
  return undefined;
}

/** The text of an iTunes-style item (`©cmt` holding a `data` box of type UTF-8). */
function itemText(bytes: Uint8Array, item: Box): string | undefined {
  const data = child(bytes, item, 'data');
  if (!data || u32be(bytes, data.start) !== DATA_TYPE_UTF8) return undefined;
  return utf8(bytes.subarray(data.start + 8, data.end));
}

/** The text of a QuickTime user-data string (`udta/©cmt`: 16-bit length, 16-bit language, text). */
function userDataText(bytes: Uint8Array, item: Box): string | undefined {
  const length = u16(bytes, item.start, false);
  if (length === undefined || item.start + 4 + length > item.end) return undefined;
  return utf8(bytes.subarray(item.start + 4, item.start + 4 + length));
}

/**
 * The `comment` metadata of an MP4/MOV file. ffmpeg's `-metadata comment=…` lands in
 * `moov/udta/meta/ilst/©cmt/data` for MP4 (inspected on ffmpeg 5.1's output); QuickTime files may hold
 * `moov/udta/©cmt` directly, which is read as well. Only box headers are visited, so `mdat` is skipped whether
 * `moov` comes before it (faststart) or after.
 */
export function readMp4Comments(bytes: Uint8Array): string[] {
  const comments: string[] = [];
  const moov = [...boxes(bytes, 0, bytes.length)].find((box) => box.type === 'moov');
  const udta = moov && child(bytes, moov, 'udta');
  if (!udta) return comments;
  const comment = '\u00a9cmt';
  for (const box of boxes(bytes, udta.start, udta.end)) {
    if (box.type === comment) {
      const text = userDataText(bytes, box);
      if (text !== undefined) comments.push(text);
    } else if (box.type === 'meta') {
      // The ISO `meta` box is a full box (4 bytes of version and flags); QuickTime's is a plain container.
      const meta = u32be(bytes, box.start) === 0 ? { ...box, start: box.start + 4 } : box;
      const ilst = child(bytes, meta, 'ilst');
      const item = ilst && child(bytes, ilst, comment);
      const text = item && itemText(bytes, item);
      if (text !== undefined) comments.push(text);
    }
  }
  return comments;
}
