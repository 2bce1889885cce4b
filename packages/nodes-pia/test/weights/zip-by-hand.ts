import { closeSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { bytes, le } from './helpers.js';

/** An entry of a hand-built zip; `at` places its local header at an absolute offset, leaving a sparse hole before it. */
export interface HandZipEntry {
  name: string;
  data: Uint8Array | string;
  at?: number;
}

/**
 * Write a stored zip by the APPNOTE layout, independently of the code under test: local headers, central
 * directory, end record; with `zip64`, every central entry carries its sizes and offset in a zip64 extra field
 * and the archive ends with a zip64 end record and locator.
 */
export function writeHandZip(path: string, entries: readonly HandZipEntry[], zip64 = false): void {
  const fd = openSync(path, 'w');
  let position = 0;
  const put = (chunk: Uint8Array): void => {
    writeSync(fd, chunk, 0, chunk.length, position);
    position += chunk.length;
  };
  const central: Uint8Array[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'latin1') : entry.data;
    if (entry.at !== undefined) position = entry.at;
    const offset = position;
    const crc = crc32(data);
    put(bytes(le(0x04034b50, 4), le(20, 2), le(0, 2), le(0, 2), le(0, 4), le(crc, 4), le(data.length, 4), le(data.length, 4), le(entry.name.length, 2), le(0, 2), entry.name));
    put(data);
    const extra = zip64 ? bytes(le(1, 2), le(24, 2), le(data.length, 8), le(data.length, 8), le(offset, 8)) : new Uint8Array(0);
    const small = (v: number): number[] => le(zip64 ? 0xffffffff : v, 4);
    central.push(
      bytes(
        le(0x02014b50, 4), le(45, 2), le(45, 2), le(0, 2), le(0, 2), le(0, 4), le(crc, 4), small(data.length), small(data.length),
        le(entry.name.length, 2), le(extra.length, 2), le(0, 2), le(0, 2), le(0, 2), le(0, 4), small(offset), entry.name, extra,
      ),
    );
  }
  const directoryOffset = position;
  for (const c of central) put(c);
  const directorySize = position - directoryOffset;
  if (zip64) {
    const record = position;
    put(bytes(le(0x06064b50, 4), le(44, 8), le(45, 2), le(45, 2), le(0, 4), le(0, 4), le(entries.length, 8), le(entries.length, 8), le(directorySize, 8), le(directoryOffset, 8)));
    put(bytes(le(0x07064b50, 4), le(0, 4), le(record, 8), le(1, 4)));
    put(bytes(le(0x06054b50, 4), le(0, 2), le(0, 2), le(0xffff, 2), le(0xffff, 2), le(0xffffffff, 4), le(0xffffffff, 4), le(0, 2)));
  } else {
    put(bytes(le(0x06054b50, 4), le(0, 2), le(0, 2), le(entries.length, 2), le(entries.length, 2), le(directorySize, 4), le(directoryOffset, 4), le(0, 2)));
  }
  closeSync(fd);
}
