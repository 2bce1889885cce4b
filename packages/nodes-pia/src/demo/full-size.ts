/**
 * Full-size random models in the real layouts (`sd15`: ≈ 1.07 B SD parameters in an LDM `.safetensors`, the
 * 417 M motion-module parameters in a PIA-style `.ckpt`), for the slow test and the benchmark. Written once,
 * streaming tensor by tensor; about 6 GB on disk.
 */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sd15 } from '../models/config.js';
import { writeLdmCheckpoint, writeMotionFile } from './generate.js';

/** Paths of the generated full-size files. */
export interface FullSizePaths {
  readonly checkpoint: string;
  readonly pia: string;
}

/** Writes `sd15-random.safetensors` and `sd15-random-pia.ckpt` under `dir` unless present. */
export async function ensureFullSizeRandomModels(dir: string): Promise<FullSizePaths> {
  await mkdir(dir, { recursive: true });
  const paths = { checkpoint: join(dir, 'sd15-random.safetensors'), pia: join(dir, 'sd15-random-pia.ckpt') };
  const exists = (p: string) => access(p).then(() => true, () => false);
  if (!(await exists(paths.checkpoint))) await writeLdmCheckpoint(paths.checkpoint, sd15);
  if (!(await exists(paths.pia))) await writeMotionFile(paths.pia, sd15, 'original');
  return paths;
}
