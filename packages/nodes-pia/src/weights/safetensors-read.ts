import type { FileHandle } from 'node:fs/promises';
import { WeightFileError } from './errors.js';
import { openForReading, readExactly, readFresh } from './file-io.js';
import { parseHeaderLength, parseSafetensorsHeader, type SafetensorsEntry, type SafetensorsHeader } from './safetensors-header.js';
import { convertTensor } from './tensor-convert.js';
import type { ReadAs, ReadResult, TensorInfo, WeightSource } from './weight-source.js';

/**
 * A `.safetensors` file opened for lazy reading: the header is parsed and checked once, then every `read`
 * fetches one tensor's bytes with a positioned read.
 */
export class SafetensorsSource implements WeightSource {
  readonly format = 'safetensors' as const;
  readonly files: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  private handle: FileHandle | undefined;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    private readonly header: SafetensorsHeader,
  ) {
    this.handle = handle;
    this.files = [path];
    this.metadata = header.metadata;
  }

  /** Open `path` and check its header; the data section is not read. */
  static async open(path: string): Promise<SafetensorsSource> {
    const handle = await openForReading(path);
    try {
      const { size } = await handle.stat();
      // A file under 8 bytes is reported by parseHeaderLength, which checks the size before the bytes.
      const prefix = size < 8 ? new Uint8Array(8) : await readExactly(handle, new Uint8Array(8), 0, { file: path, what: 'the header length' });
      const length = parseHeaderLength(prefix, path, size);
      const json = await readFresh(handle, length, 8, { file: path, what: 'the JSON header' });
      return new SafetensorsSource(path, handle, parseSafetensorsHeader(json, path, size));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  keys(): string[] {
    return [...this.header.entries.keys()];
  }

  has(key: string): boolean {
    return this.header.entries.has(key);
  }

  info(key: string): TensorInfo {
    const { dtype, shape, begin, end } = this.entry(key);
    return { dtype, shape, byteLength: end - begin };
  }

  async read<A extends ReadAs>(key: string, as: A): Promise<ReadResult[A]> {
    const entry = this.entry(key);
    if (this.handle === undefined) throw new WeightFileError('closed', this.path, 'the file was closed', { tensor: key });
    const raw = await readFresh(this.handle, entry.end - entry.begin, this.header.dataStart + entry.begin, {
      file: this.path,
      tensor: key,
      what: 'the tensor data',
    });
    return convertTensor(raw, entry.dtype, as, { file: this.path, tensor: key });
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private entry(key: string): SafetensorsEntry {
    const entry = this.header.entries.get(key);
    if (entry === undefined) throw new WeightFileError('missing-tensor', this.path, 'no such tensor in the file', { tensor: key });
    return entry;
  }
}

/** Open a `.safetensors` file for lazy, tensor-by-tensor reading. */
export function openSafetensors(path: string): Promise<SafetensorsSource> {
  return SafetensorsSource.open(path);
}
