/**
 * Opening checkpoint files and diffusers folders as `WeightSource`s. A thin adapter over `weights/`, which tells
 * formats by their first bytes and picks a folder's weight files (safetensors first, variants, shards).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openWeights, openWeightsDir } from '../weights/open-weights.js';
import { findWeightFiles } from '../weights/weight-dir.js';
import type { WeightSource } from '../weights/weight-source.js';
import { CheckpointError } from './errors.js';

/** Opens one weight file by its content: `.safetensors` or a PyTorch zip checkpoint, whatever the extension. */
export function openWeightFile(path: string): Promise<WeightSource> {
  return openWeights(path);
}

/** Whether `path` is a folder. */
export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    throw new CheckpointError('not-found', path, 'no such file or folder');
  }
}

/** A part of a diffusers pipeline folder (`adapter`: a MotionAdapter folder, the folder itself). */
export type DiffusersPart = 'unet' | 'vae' | 'text_encoder' | 'adapter';

/** The folder of `part` and the weight files directly inside it: one file, or the shards of one. */
async function partFiles(folder: string, part: DiffusersPart): Promise<{ dir: string; files: string[] }> {
  const dir = part === 'adapter' ? folder : join(folder, part);
  const files = (await findWeightFiles(dir)).filter((f) => f.prefix === '').map((f) => f.path);
  if (files.length === 0) throw new CheckpointError('not-found', dir, 'no weight file directly in the folder');
  return { dir, files };
}

/** The weight file of a diffusers sub-folder (`unet`, `vae`, `text_encoder`) or of a MotionAdapter folder. */
export async function diffusersWeightFile(folder: string, part: DiffusersPart): Promise<string> {
  const { dir, files } = await partFiles(folder, part);
  if (files.length > 1) throw new CheckpointError('not-found', dir, `the weights are split over ${files.length} files, not one`);
  return files[0]!;
}

/** Opens the weights of a diffusers part; a single file opens as itself, so messages name it rather than the folder. */
export async function openDiffusersPart(folder: string, part: DiffusersPart): Promise<WeightSource> {
  const { dir, files } = await partFiles(folder, part);
  return files.length === 1 ? openWeights(files[0]!) : openWeightsDir(dir);
}
