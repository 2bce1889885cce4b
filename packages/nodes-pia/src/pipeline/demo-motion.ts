/**
 * Demo motion models for the demo checkpoint: tiny AnimateDiff v1, v2 and v3 files in the original key layout (the
 * layout of `mm_sd_v14.ckpt`, `mm_sd_v15_v2.ckpt`, `v3_sd15_mm.ckpt`: `temporal_transformer`, `attention_blocks.k`,
 * `pos_encoder.pe` buffers of 24 or 32 positions, v2's mid-block module), written into `models/animatediff_models/`
 * on first use. Weights are the demo generator's seeded random values; the last up-block module is the identity, as in
 * the demo PIA file, so the demo checkpoint's hand-set colour path still decides the picture.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { motionKeys, motionPeKeys } from '../checkpoints/key-table.js';
import { initTensor } from '../demo/random-init.js';
import { tiny, type PiaModelConfig } from '../models/config.js';
import { pathExists } from '../path-exists.js';
import type { TensorToWrite } from '../weights/tensor-input.js';
import { writeTorchCheckpoint } from '../weights/torch-zip-write.js';
import { demoTensor } from './demo-weights.js';

/** The demo motion models: file name, and the release whose layout they copy. */
export const DEMO_MOTION_MODELS = {
  'piagraph-demo-mm-v1.ckpt': { midBlock: false, maxFrames: 24 },
  'piagraph-demo-mm-v2.ckpt': { midBlock: true, maxFrames: 32 },
  'piagraph-demo-mm-v3.ckpt': { midBlock: false, maxFrames: 32 },
} as const;

export type DemoMotionName = keyof typeof DEMO_MOTION_MODELS;

/** The demo motion model ADE-style example graphs name (AnimateDiff v2's layout, as the issue asks). */
export const DEMO_MOTION_MODEL: DemoMotionName = 'piagraph-demo-mm-v2.ckpt';

const SEED = 20240806;

/**
 * Every tensor of a motion-model file in the original layout: weights and `pe` buffers. `demoPath` false leaves out
 * the demo's identity last module, so every module is random (what a parity check against the original code wants).
 */
export function motionModelTensors(
  cfg: PiaModelConfig,
  layout: { readonly midBlock: boolean; readonly maxFrames: number },
  seed = SEED,
  demoPath = true,
): [string, TensorToWrite][] {
  const out: [string, TensorToWrite][] = [];
  for (const spec of motionKeys(cfg.unet, { midBlock: layout.midBlock })) {
    const pinned = () => (demoPath ? demoTensor(cfg, spec.name, spec.shape) : undefined);
    const data = () => pinned() ?? initTensor(`motion.${spec.name}`, spec.shape, seed);
    out.push([spec.alt, { dtype: 'F32', shape: spec.shape, data }]);
  }
  for (const pe of motionPeKeys(cfg.unet, layout)) out.push([pe.alt, { dtype: 'F32', shape: pe.shape, data: () => initTensor(pe.alt, pe.shape, seed) }]);
  return out;
}

let tmpCounter = 0;

/** Writes `models/animatediff_models/<name>` when `name` is a demo motion model and it is missing. */
export async function ensureDemoMotionModel(modelsDir: string, name: string): Promise<void> {
  if (!(name in DEMO_MOTION_MODELS)) return;
  const path = join(modelsDir, 'animatediff_models', name);
  if (await pathExists(path)) return;
  await mkdir(dirname(path), { recursive: true });
  // A file of its own renamed into place, so a concurrent reader never sees half a file.
  const tmp = `${path}.tmp-${process.pid}-${++tmpCounter}`;
  try {
    await writeTorchCheckpoint(tmp, motionModelTensors(tiny, DEMO_MOTION_MODELS[name as DemoMotionName]));
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}
