/**
 * The out-of-the-box demo models: a tiny SD 1.5-shaped checkpoint, the tiny PIA file in both formats and a tiny
 * tokenizer, written once (deterministically) under a models folder.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tiny } from '../models/config.js';
import { pathExists } from '../path-exists.js';
import { tinyClipVocabulary, writeTokenizerFolder } from '../tokenizer/index.js';
import { writeLdmCheckpoint, writeMotionFile } from './generate.js';

/** Where {@link ensureDemoModels} put the files. */
export interface DemoModelPaths {
  /** `checkpoints/piagraph-tiny-sd15.safetensors` (LDM layout). */
  readonly checkpoint: string;
  /** `pia/piagraph-tiny-pia.ckpt` (PyTorch zip, original PIA key names). */
  readonly pia: string;
  /** `pia/piagraph-tiny-pia.safetensors` (diffusers MotionAdapter key names). */
  readonly piaSafetensors: string;
  /** `checkpoints/piagraph-tiny-sd15.tokenizer/` (vocab.json, merges.txt). */
  readonly tokenizer: string;
}

/** File names of the demo models under a models folder. */
export function demoModelPaths(modelsDir: string): DemoModelPaths {
  return {
    checkpoint: join(modelsDir, 'checkpoints', 'piagraph-tiny-sd15.safetensors'),
    pia: join(modelsDir, 'pia', 'piagraph-tiny-pia.ckpt'),
    piaSafetensors: join(modelsDir, 'pia', 'piagraph-tiny-pia.safetensors'),
    tokenizer: join(modelsDir, 'checkpoints', 'piagraph-tiny-sd15.tokenizer'),
  };
}

/** Writes the tiny demo models under `modelsDir` unless they are already there; returns their paths. */
export async function ensureDemoModels(modelsDir: string): Promise<DemoModelPaths> {
  const paths = demoModelPaths(modelsDir);
  await mkdir(join(modelsDir, 'checkpoints'), { recursive: true });
  await mkdir(join(modelsDir, 'pia'), { recursive: true });
  if (!(await pathExists(paths.checkpoint))) await writeLdmCheckpoint(paths.checkpoint, tiny);
  if (!(await pathExists(paths.pia))) await writeMotionFile(paths.pia, tiny, 'original');
  if (!(await pathExists(paths.piaSafetensors))) await writeMotionFile(paths.piaSafetensors, tiny, 'diffusers');
  if (!(await pathExists(join(paths.tokenizer, 'merges.txt')))) await writeTokenizerFolder(paths.tokenizer, tinyClipVocabulary());
  return paths;
}
