import { promises as fsp } from 'node:fs';
import { extname } from 'node:path';
import { WeightFileError } from './errors.js';
import { openForReading } from './file-io.js';
import { SafetensorsSource } from './safetensors-read.js';
import { TorchCheckpointSource, type TorchCheckpointOptions } from './torch-zip.js';
import { findWeightFiles, MultiFileWeightSource, type WeightDirOptions } from './weight-dir.js';
import type { WeightSource } from './weight-source.js';

/** Options of {@link openWeights}. */
export interface OpenWeightsOptions extends TorchCheckpointOptions, WeightDirOptions {}

/** What the first bytes of a file say it is. */
export type WeightFileKind = 'safetensors' | 'torch-zip' | 'torch-legacy' | 'unknown';

/**
 * Sniff a file's format from its first bytes: a zip local header (PyTorch ≥ 1.6), the pickled magic number
 * of pre-1.6 `torch.save`, or a plausible safetensors header length followed by `{`.
 */
export function sniffWeightFile(head: Uint8Array, fileSize: number): WeightFileKind {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05)) return 'torch-zip';
  // Legacy torch.save starts with PROTO 2, LONG1 10 bytes: the magic number 0x1950a86a20f9469cfc6c.
  if (head.length >= 4 && head[0] === 0x80 && head[1] === 0x02 && head[2] === 0x8a && head[3] === 0x0a) return 'torch-legacy';
  if (head.length >= 9) {
    const length = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
    if (length >= 2n && length <= BigInt(fileSize - 8) && head[8] === 0x7b) return 'safetensors';
  }
  return 'unknown';
}

async function openFile(path: string, options: OpenWeightsOptions): Promise<WeightSource> {
  const handle = await openForReading(path);
  let head: Uint8Array;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const buffer = new Uint8Array(Math.min(16, size));
    await handle.read(buffer, 0, buffer.length, 0);
    head = buffer;
  } finally {
    await handle.close();
  }
  const kind = sniffWeightFile(head, size);
  if (kind === 'torch-zip') return TorchCheckpointSource.open(path, options);
  if (kind === 'safetensors' || extname(path) === '.safetensors') return SafetensorsSource.open(path);
  if (kind === 'torch-legacy') {
    throw new WeightFileError('unsupported', path, 'uses the legacy (before PyTorch 1.6) serialization; re-save it with a current torch.save or as .safetensors');
  }
  throw new WeightFileError('unsupported', path, 'is neither a safetensors file nor a PyTorch zip checkpoint');
}

/**
 * Open weights by content, whatever the extension: a `.safetensors` file, a PyTorch zip checkpoint
 * (`.ckpt`/`.pt`/`.pth`/`.bin`), or a folder of them (see {@link openWeightsDir}).
 */
export async function openWeights(path: string, options: OpenWeightsOptions = {}): Promise<WeightSource> {
  let stat;
  try {
    stat = await fsp.stat(path);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new WeightFileError(missing ? 'not-found' : 'io', path, missing ? 'no such file or folder' : (cause as Error).message, { cause });
  }
  return stat.isDirectory() ? openWeightsDir(path, options) : openFile(path, options);
}

/**
 * Open every weight file of a model folder as one source, keys prefixed by subfolder: a diffusers folder gives
 * `unet.*`, `vae.*`, `text_encoder.*`. Files that fail to open close the ones already opened.
 */
export async function openWeightsDir(dir: string, options: OpenWeightsOptions = {}): Promise<MultiFileWeightSource> {
  const files = await findWeightFiles(dir, options);
  const parts: { prefix: string; source: WeightSource }[] = [];
  try {
    for (const { prefix, path } of files) parts.push({ prefix, source: await openFile(path, options) });
    return new MultiFileWeightSource(dir, parts);
  } catch (error) {
    await Promise.all(parts.map((p) => p.source.close()));
    throw error;
  }
}
