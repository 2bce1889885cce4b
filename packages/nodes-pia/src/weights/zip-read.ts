/**
 * Reading the central directory of a zip archive, for PyTorch checkpoints.
 *
 * Hand-written rather than taken from a zip library on purpose: what we need is the raw file offset of each
 * stored (uncompressed) entry so a tensor's storage can be read later with one positioned read, without
 * inflating or buffering the archive. The usual libraries either stream entries in order or load the archive;
 * none hands out data offsets. PyTorch writes every record stored, so that is the fast path; a deflated entry
 * (a checkpoint repacked by another tool) is still read, by inflating it whole.
 */
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { WeightFileError } from './errors.js';
import { readExactly, readFresh } from './file-io.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const EOCD_SIZE = 22;
const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** Central directories beyond this are refused before allocating (a checkpoint with a million tensors needs ~100 MB). */
const MAX_CENTRAL_DIRECTORY = 512 * 1024 * 1024;
/**
 * Deflate cannot shrink data by more than about 1032:1 (its longest match, 258 bytes, costs at least 2 bits); an
 * entry that claims more is lying about its size, a zip bomb's first tell.
 */
const MAX_DEFLATE_RATIO = 1100;

const inflateRawAsync = promisify(inflateRaw);

/** One entry of the central directory. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

function u64(view: DataView, at: number, file: string, what: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new WeightFileError('corrupt', file, `zip ${what} ${value} is beyond 2^53`);
  return Number(value);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface DirectoryLocation {
  entries: number;
  offset: number;
  size: number;
  /** Where the directory must end: the zip64 record or the end record. */
  end: number;
}

/** A zip archive whose entries are read lazily at their offsets. */
export class ZipArchive {
  private readonly dataOffsets = new Map<string, number>();

  private constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    readonly fileSize: number,
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  /** Read the end records and the central directory of `fh`. */
  static async open(fh: FileHandle, file: string): Promise<ZipArchive> {
    const { size } = await fh.stat();
    const location = await locateDirectory(fh, file, size);
    if (location.offset + location.size > location.end) {
      throw new WeightFileError('corrupt', file, `zip central directory [${location.offset}, +${location.size}) runs past its end record at ${location.end}`);
    }
    if (location.size > MAX_CENTRAL_DIRECTORY) {
      throw new WeightFileError('corrupt', file, `zip central directory of ${location.size} bytes exceeds the ${MAX_CENTRAL_DIRECTORY}-byte limit`);
    }
    const directory = await readFresh(fh, location.size, location.offset, { file, what: 'the zip central directory' });
    return new ZipArchive(fh, file, size, parseDirectory(directory, location.entries, file, size));
  }

  /** File offset of an entry's first data byte, from its local header (cached). */
  async dataOffset(entry: ZipEntry, tensor?: string): Promise<number> {
    const cached = this.dataOffsets.get(entry.name);
    if (cached !== undefined) return cached;
    const about = tensor === undefined ? {} : { tensor };
    const target = { file: this.file, what: `the zip local header of "${entry.name}"`, ...about };
    const nameBytes = new TextEncoder().encode(entry.name);
    const header = await readExactly(this.fh, new Uint8Array(LOCAL_HEADER_SIZE + nameBytes.length), entry.localHeaderOffset, target);
    const v = view(header);
    if (v.getUint32(0, true) !== SIG_LOCAL) {
      throw new WeightFileError('corrupt', this.file, `zip entry "${entry.name}" has no local header at byte ${entry.localHeaderOffset}`, about);
    }
    const nameLength = v.getUint16(26, true);
    const stored = header.subarray(LOCAL_HEADER_SIZE);
    if (nameLength !== nameBytes.length || !stored.every((b, i) => b === nameBytes[i])) {
      throw new WeightFileError('corrupt', this.file, `zip local header at byte ${entry.localHeaderOffset} does not name "${entry.name}"`, about);
    }
    const offset = entry.localHeaderOffset + LOCAL_HEADER_SIZE + nameLength + v.getUint16(28, true);
    if (offset + entry.compressedSize > this.fileSize) {
      throw new WeightFileError(
        'truncated',
        this.file,
        `zip entry "${entry.name}" needs bytes up to ${offset + entry.compressedSize} but the file has ${this.fileSize} (truncated?)`,
        about,
      );
    }
    this.dataOffsets.set(entry.name, offset);
    return offset;
  }

  /** `length` bytes of an entry's content from `start`, for lazy reads of part of a storage. */
  async readRange(entry: ZipEntry, start: number, length: number, tensor?: string): Promise<Uint8Array> {
    const about = tensor === undefined ? {} : { tensor };
    if (start + length > entry.size) {
      throw new WeightFileError('corrupt', this.file, `needs bytes [${start}, ${start + length}) of "${entry.name}", which holds ${entry.size}`, about);
    }
    if (entry.method === 0) {
      const target = { file: this.file, what: `zip entry "${entry.name}"`, ...about };
      return readFresh(this.fh, length, (await this.dataOffset(entry, tensor)) + start, target);
    }
    const whole = await this.read(entry, tensor);
    return whole.slice(start, start + length);
  }

  /**
   * An entry's whole content. `maxBytes` bounds what the caller is prepared to hold: an entry that declares more is
   * refused before anything is read. A deflated entry must also declare a size deflate can reach from its compressed
   * size, and is inflated (off the event loop) with its declared size as a hard cap, so a zip bomb that lies about
   * its size stops at the lie instead of filling memory.
   */
  async read(entry: ZipEntry, tensor?: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Uint8Array> {
    const about = tensor === undefined ? {} : { tensor };
    if ((entry.flags & 1) !== 0) throw new WeightFileError('unsupported', this.file, `zip entry "${entry.name}" is encrypted`, about);
    if (entry.size > maxBytes) {
      throw new WeightFileError('unsupported', this.file, `zip entry "${entry.name}" declares ${entry.size} bytes, more than the ${maxBytes} it may hold`, about);
    }
    if (entry.method === 8 && entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw new WeightFileError(
        'corrupt',
        this.file,
        `zip entry "${entry.name}" claims to inflate from ${entry.compressedSize} to ${entry.size} bytes, more than deflate can (a zip bomb?)`,
        about,
      );
    }
    const offset = await this.dataOffset(entry, tensor);
    const raw = await readFresh(this.fh, entry.compressedSize, offset, { file: this.file, what: `zip entry "${entry.name}"`, ...about });
    if (entry.method === 0) return raw;
    if (entry.method !== 8) {
      throw new WeightFileError('unsupported', this.file, `zip entry "${entry.name}" uses compression method ${entry.method} (only stored and deflate are read)`);
    }
    let inflated: Buffer;
    try {
      // One byte over the declared size is enough to know it lies; nothing more is ever produced.
      inflated = await inflateRawAsync(raw, { maxOutputLength: entry.size + 1 });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new WeightFileError('corrupt', this.file, `zip entry "${entry.name}" inflates to more than its declared ${entry.size} bytes (a zip bomb?)`, { cause });
      }
      throw new WeightFileError('corrupt', this.file, `zip entry "${entry.name}" does not inflate: ${(cause as Error).message}`, { cause });
    }
    if (inflated.length !== entry.size) {
      throw new WeightFileError('corrupt', this.file, `zip entry "${entry.name}" inflates to ${inflated.length} bytes, not ${entry.size}`);
    }
    return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
  }
}

async function locateDirectory(fh: FileHandle, file: string, size: number): Promise<DirectoryLocation> {
  if (size < EOCD_SIZE) throw new WeightFileError('truncated', file, `file is ${size} bytes, too short for a zip archive`);
  // The end record sits in the last 22 + 65535 (maximum comment) bytes.
  const tailLength = Math.min(size, EOCD_SIZE + U16_MAX);
  const tailStart = size - tailLength;
  const tail = await readExactly(fh, new Uint8Array(tailLength), tailStart, { file, what: 'the zip end record' });
  const t = view(tail);
  let at = -1;
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (t.getUint32(i, true) === SIG_EOCD && i + EOCD_SIZE + t.getUint16(i + 20, true) === tailLength) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    throw new WeightFileError('corrupt', file, 'no zip end-of-central-directory record (not a zip archive, or truncated)');
  }
  const eocd = tailStart + at;
  if (t.getUint16(at + 4, true) !== 0 && t.getUint16(at + 4, true) !== U16_MAX) {
    throw new WeightFileError('unsupported', file, 'multi-disk zip archives are not supported');
  }
  const plain: DirectoryLocation = {
    entries: t.getUint16(at + 10, true),
    size: t.getUint32(at + 12, true),
    offset: t.getUint32(at + 16, true),
    end: eocd,
  };
  if (eocd < 20) return plain;
  const locator = await readExactly(fh, new Uint8Array(20), eocd - 20, { file, what: 'the zip64 locator' });
  const l = view(locator);
  if (l.getUint32(0, true) !== SIG_ZIP64_LOCATOR) {
    if (plain.entries === U16_MAX || plain.size === U32_MAX || plain.offset === U32_MAX) {
      throw new WeightFileError('corrupt', file, 'zip end record asks for zip64 values but there is no zip64 locator');
    }
    return plain;
  }
  const recordAt = u64(l, 8, file, 'zip64 record offset');
  if (recordAt + 56 > eocd - 20) throw new WeightFileError('corrupt', file, `zip64 end record offset ${recordAt} is out of place`);
  const record = view(await readExactly(fh, new Uint8Array(56), recordAt, { file, what: 'the zip64 end record' }));
  if (record.getUint32(0, true) !== SIG_ZIP64_EOCD) throw new WeightFileError('corrupt', file, `no zip64 end record at byte ${recordAt}`);
  return {
    entries: u64(record, 32, file, 'entry count'),
    size: u64(record, 40, file, 'central directory size'),
    offset: u64(record, 48, file, 'central directory offset'),
    end: recordAt,
  };
}

function parseDirectory(bytes: Uint8Array, count: number, file: string, fileSize: number): Map<string, ZipEntry> {
  const v = view(bytes);
  const decoder = new TextDecoder('utf-8');
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_HEADER_SIZE > bytes.length || v.getUint32(at, true) !== SIG_CENTRAL) {
      throw new WeightFileError('corrupt', file, `zip central directory entry ${i} of ${count} is missing or damaged`);
    }
    const nameLength = v.getUint16(at + 28, true);
    const extraLength = v.getUint16(at + 30, true);
    const commentLength = v.getUint16(at + 32, true);
    const next = at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    if (next > bytes.length) throw new WeightFileError('corrupt', file, `zip central directory entry ${i} runs past the directory`);
    const name = decoder.decode(bytes.subarray(at + CENTRAL_HEADER_SIZE, at + CENTRAL_HEADER_SIZE + nameLength));
    let size = v.getUint32(at + 24, true);
    let compressedSize = v.getUint32(at + 20, true);
    let localHeaderOffset = v.getUint32(at + 42, true);
    // zip64 extra field (id 1): the 64-bit values of exactly those fields that hold 0xFFFFFFFF, in this order.
    const extraStart = at + CENTRAL_HEADER_SIZE + nameLength;
    for (let e = extraStart; e + 4 <= extraStart + extraLength; ) {
      const id = v.getUint16(e, true);
      const length = v.getUint16(e + 2, true);
      if (e + 4 + length > extraStart + extraLength) throw new WeightFileError('corrupt', file, `zip extra field of "${name}" runs past its entry`);
      if (id === 1) {
        let p = e + 4;
        const take = (): number => {
          if (p + 8 > e + 4 + length) throw new WeightFileError('corrupt', file, `zip64 extra field of "${name}" is too short`);
          const value = u64(v, p, file, `value in the zip64 field of "${name}"`);
          p += 8;
          return value;
        };
        if (size === U32_MAX) size = take();
        if (compressedSize === U32_MAX) compressedSize = take();
        if (localHeaderOffset === U32_MAX) localHeaderOffset = take();
      }
      e += 4 + length;
    }
    if (localHeaderOffset + LOCAL_HEADER_SIZE > fileSize) {
      throw new WeightFileError('truncated', file, `zip entry "${name}" starts at byte ${localHeaderOffset}, past the end of the ${fileSize}-byte file`);
    }
    const method = v.getUint16(at + 10, true);
    if (method === 0 && size !== compressedSize) {
      throw new WeightFileError('corrupt', file, `stored zip entry "${name}" claims ${size} bytes but occupies ${compressedSize}`);
    }
    if (entries.has(name)) throw new WeightFileError('corrupt', file, `zip archive has two entries named "${name}"`);
    entries.set(name, {
      name,
      method,
      flags: v.getUint16(at + 8, true),
      crc32: v.getUint32(at + 16, true),
      compressedSize,
      size,
      localHeaderOffset,
    });
    at = next;
  }
  return entries;
}
