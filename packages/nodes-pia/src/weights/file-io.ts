import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { WeightFileError } from './errors.js';

/** libuv refuses single reads and writes above 2 GiB − 1, so large transfers go in 1 GiB slices. */
const IO_SLICE = 1 << 30;

/** What a short read was reading, for the error message. */
export interface ReadTarget {
  file: string;
  tensor?: string;
  what: string;
}

/**
 * Fill `into` from `position` with positioned reads (no shared file cursor, so concurrent reads of one handle are
 * safe). Positions are plain numbers, exact up to 2^53, so files beyond 4 GB are addressed correctly.
 * A read that hits the end of the file early throws a `truncated` error naming the file and tensor.
 */
export async function readExactly(fh: FileHandle, into: Uint8Array, position: number, target: ReadTarget): Promise<Uint8Array> {
  let done = 0;
  while (done < into.length) {
    const want = Math.min(IO_SLICE, into.length - done);
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(into, done, want, position + done));
    } catch (cause) {
      throw ioError(target, cause);
    }
    if (bytesRead === 0) {
      throw new WeightFileError(
        'truncated',
        target.file,
        `${target.what} needs bytes ${position}..${position + into.length} but the file ends at byte ${position + done} (truncated?)`,
        target.tensor === undefined ? {} : { tensor: target.tensor },
      );
    }
    done += bytesRead;
  }
  return into;
}

/** Read `length` bytes at `position` into a fresh buffer that starts at offset 0 of its own `ArrayBuffer`. */
export function readFresh(fh: FileHandle, length: number, position: number, target: ReadTarget): Promise<Uint8Array> {
  // allocUnsafeSlow gives an unpooled, aligned buffer; readExactly fills every byte or throws, so nothing stale leaks.
  const buf = Buffer.allocUnsafeSlow(length);
  return readExactly(fh, new Uint8Array(buf.buffer, 0, length), position, target);
}

function ioError(target: ReadTarget, cause: unknown): WeightFileError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new WeightFileError('io', target.file, `reading ${target.what} failed: ${reason}`, {
    cause,
    ...(target.tensor === undefined ? {} : { tensor: target.tensor }),
  });
}

/** Open a weight file for reading, turning a missing file into a `not-found` error that names it. */
export async function openForReading(file: string): Promise<FileHandle> {
  try {
    return await fsp.open(file, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WeightFileError('not-found', file, 'no such file', { cause });
    if (code === 'EISDIR') throw new WeightFileError('invalid-input', file, 'is a directory, not a weight file', { cause });
    throw new WeightFileError('io', file, `cannot open: ${(cause as Error).message}`, { cause });
  }
}

/** Sequential writer over a file handle that tracks its own position (so it never depends on the OS cursor). */
export class FileSink {
  /** Bytes written so far, i.e. the offset of the next byte. */
  position = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly file: string,
  ) {}

  /** Append `data`, looping until every byte is written. */
  async write(data: ArrayBufferView): Promise<void> {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const want = Math.min(IO_SLICE, bytes.length - done);
      const { bytesWritten } = await this.fh.write(bytes, done, want, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }
}

/**
 * Write `file` through a temporary sibling that is renamed into place only when `produce` succeeds, so a failed
 * or interrupted write never leaves a half file that looks like a valid checkpoint.
 */
export async function writeAtomically<T>(file: string, produce: (sink: FileSink) => Promise<T>): Promise<T> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  let fh: FileHandle;
  try {
    fh = await fsp.open(temp, 'w');
  } catch (cause) {
    throw new WeightFileError('io', file, `cannot create: ${(cause as Error).message}`, { cause });
  }
  try {
    const result = await produce(new FileSink(fh, file));
    await fh.close();
    await fsp.rename(temp, file);
    return result;
  } catch (error) {
    await fh.close().catch(() => undefined);
    await fsp.rm(temp, { force: true });
    if (error instanceof WeightFileError) throw error;
    throw new WeightFileError('io', file, `writing failed: ${(error as Error).message}`, { cause: error });
  }
}
