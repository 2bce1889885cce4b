/**
 * Opening checkpoint files and diffusers folders as `WeightSource`s. A thin adapter over `weights/`:
 * `.safetensors` through the safetensors reader, `.ckpt`/`.pt`/`.pth`/`.bin` through the restricted unpickler.
 */
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { openSafetensors } from '../weights/safetensors-read.js';
import { openTorchCheckpoint } from '../weights/torch-zip.js';
import type { WeightSource } from '../weights/weight-source.js';
import { CheckpointError } from './errors.js';

/** Opens one weight file by its extension. */
export async function openWeightFile(path: string): Promise<WeightSource> {
  const ext = extname(path).toLowerCase();
  if (ext === '.safetensors') return openSafetensors(path);
  if (['.ckpt', '.pt', '.pth', '.bin'].includes(ext)) return openTorchCheckpoint(path);
  throw new CheckpointError('not-found', path, `unknown weight file type '${ext}' (expected .safetensors, .ckpt, .pt, .pth or .bin)`);
}

/** Whether `path` is a folder. */
export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    throw new CheckpointError('not-found', path, 'no such file or folder');
  }
}

/** Weight file names diffusers writes, in order of preference. */
const CANDIDATES: Readonly<Record<string, readonly string[]>> = {
  unet: ['diffusion_pytorch_model.safetensors', 'diffusion_pytorch_model.fp16.safetensors', 'diffusion_pytorch_model.bin'],
  vae: ['diffusion_pytorch_model.safetensors', 'diffusion_pytorch_model.fp16.safetensors', 'diffusion_pytorch_model.bin'],
  text_encoder: ['model.safetensors', 'model.fp16.safetensors', 'pytorch_model.bin'],
  adapter: ['diffusion_pytorch_model.safetensors', 'diffusion_pytorch_model.fp16.safetensors', 'diffusion_pytorch_model.bin'],
};

/** The weight file of a diffusers sub-folder (`unet`, `vae`, `text_encoder`) or of a MotionAdapter folder (`adapter` = the folder itself). */
export async function diffusersWeightFile(folder: string, part: 'unet' | 'vae' | 'text_encoder' | 'adapter'): Promise<string> {
  const dir = part === 'adapter' ? folder : join(folder, part);
  for (const name of CANDIDATES[part]!) {
    const candidate = join(dir, name);
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // try the next name
    }
  }
  throw new CheckpointError('not-found', dir, `no weight file (looked for ${CANDIDATES[part]!.join(', ')})`);
}
