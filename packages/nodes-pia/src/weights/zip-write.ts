/**
 * A streaming zip writer for stored (uncompressed) entries whose data start on aligned offsets, the way
 * PyTorch's `PyTorchStreamWriter` lays them out: each local header carries an extra field "FB" padded with 'Z'
 * so the data begins on a multiple of the alignment, and zip64 fields appear only where a size or offset needs
 * them. Entries are written one at a time, so an archive larger than memory can be produced.
 */
import { crc32 } from 'node:zlib';
import type { FileSink } from './file-io.js';

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** MS-DOS date of 1980-01-01, time 00:00: a fixed stamp keeps archives byte-reproducible (torch stamps the clock). */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;

interface WrittenEntry {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
}

/** Options of a {@link ZipWriter}. */
export interface ZipWriterOptions {
  /** Data alignment in bytes (PyTorch uses 64). */
  alignment?: number;
  /** Write zip64 fields and end records even when nothing needs them (to exercise readers on small files). */
  forceZip64?: boolean;
}

function u16(value: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, value, true);
  return b;
}

class Bytes {
  private readonly parts: Uint8Array[] = [];
  length = 0;
  u16(value: number): this {
    return this.push(u16(value));
  }
  u32(value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.push(b);
  }
  u64(value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(value), true);
    return this.push(b);
  }
  push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.length += bytes.length;
    return this;
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Writes stored entries to a {@link FileSink}, then the central directory on {@link ZipWriter.finish}. */
export class ZipWriter {
  private readonly written: WrittenEntry[] = [];
  private readonly alignment: number;
  private readonly forceZip64: boolean;

  constructor(
    private readonly sink: FileSink,
    options: ZipWriterOptions = {},
  ) {
    this.alignment = options.alignment ?? 64;
    this.forceZip64 = options.forceZip64 ?? false;
  }

  /** Append one stored entry; returns the CRC-32 of its data. */
  async add(name: string, data: Uint8Array): Promise<number> {
    const nameBytes = new TextEncoder().encode(name);
    const offset = this.sink.position;
    const big = this.forceZip64 || data.length >= U32_MAX;
    const crc = crc32(data);
    const header = new Bytes()
      .u32(0x04034b50)
      .u16(big ? 45 : 20)
      .u16(0)
      .u16(0)
      .u16(DOS_TIME)
      .u16(DOS_DATE)
      .u32(crc)
      .u32(big ? U32_MAX : data.length)
      .u32(big ? U32_MAX : data.length);
    const zip64 = big ? new Bytes().u16(1).u16(16).u64(data.length).u64(data.length).concat() : new Uint8Array(0);
    const unpadded = offset + 30 + nameBytes.length + zip64.length + 4;
    const padding = (this.alignment - (unpadded % this.alignment)) % this.alignment;
    const pad = new Bytes().push(new TextEncoder().encode('FB')).u16(padding).push(new Uint8Array(padding).fill(0x5a)).concat();
    header.u16(nameBytes.length).u16(zip64.length + pad.length).push(nameBytes).push(zip64).push(pad);
    await this.sink.write(header.concat());
    await this.sink.write(data);
    this.written.push({ name: nameBytes, crc, size: data.length, offset });
    return crc;
  }

  /** Write the central directory and end records. */
  async finish(): Promise<void> {
    const directoryOffset = this.sink.position;
    const directory = new Bytes();
    for (const e of this.written) {
      const bigSize = this.forceZip64 || e.size >= U32_MAX;
      const bigOffset = this.forceZip64 || e.offset >= U32_MAX;
      const extra = new Bytes();
      if (bigSize || bigOffset) {
        extra.u16(1).u16((bigSize ? 16 : 0) + (bigOffset ? 8 : 0));
        if (bigSize) extra.u64(e.size).u64(e.size);
        if (bigOffset) extra.u64(e.offset);
      }
      directory
        .u32(0x02014b50)
        .u16(bigSize || bigOffset ? 45 : 20)
        .u16(bigSize || bigOffset ? 45 : 20)
        .u16(0)
        .u16(0)
        .u16(DOS_TIME)
        .u16(DOS_DATE)
        .u32(e.crc)
        .u32(bigSize ? U32_MAX : e.size)
        .u32(bigSize ? U32_MAX : e.size)
        .u16(e.name.length)
        .u16(extra.length)
        .u16(0)
        .u16(0)
        .u16(0)
        .u32(0)
        .u32(bigOffset ? U32_MAX : e.offset)
        .push(e.name)
        .push(extra.concat());
    }
    const directorySize = directory.length;
    const count = this.written.length;
    const end = new Bytes();
    const needZip64 = this.forceZip64 || count >= U16_MAX || directoryOffset >= U32_MAX || directorySize >= U32_MAX;
    if (needZip64) {
      const recordOffset = directoryOffset + directorySize;
      end
        .u32(0x06064b50)
        .u64(44)
        .u16(45)
        .u16(45)
        .u32(0)
        .u32(0)
        .u64(count)
        .u64(count)
        .u64(directorySize)
        .u64(directoryOffset)
        .u32(0x07064b50)
        .u32(0)
        .u64(recordOffset)
        .u32(1);
    }
    end
      .u32(0x06054b50)
      .u16(0)
      .u16(0)
      .u16(needZip64 ? U16_MAX : count)
      .u16(needZip64 ? U16_MAX : count)
      .u32(needZip64 ? U32_MAX : directorySize)
      .u32(needZip64 ? U32_MAX : directoryOffset)
      .u16(0);
    await this.sink.write(directory.concat());
    await this.sink.write(end.concat());
  }
}
