/**
 * Recognising a motion-model file by its keys and shapes, before binding it: AnimateDiff v1/v2/v3 and PIA for a U-Net
 * piagraph has a config for, everything else refused by name (SDXL's AnimateDiff and HotShot-XL by their widths and
 * keys, AnimateLCM by its missing position encodings, motion LoRAs and Stable Diffusion checkpoints by their keys).
 */
import { CheckpointError } from '../checkpoints/errors.js';
import { modelConfigs, type PiaModelConfig } from '../models/config.js';
import type { WeightSource } from '../weights/weight-source.js';
import type { MotionModelInfo, MotionVersion } from './motion-model.js';

const DOWN_MODULE = /^down_blocks\.(\d+)\.motion_modules\.0\.(temporal_transformer\.)?proj_in\.weight$/;
const PE_KEY = /\.(pos_encoder|pos_embed)\.pe$/;

function unsupported(file: string, what: string, family?: string): never {
  throw new CheckpointError('unsupported-motion-module', file, what, family ? { family } : {});
}

/** Refuses files that are something else than an AnimateDiff/PIA motion model, naming what they are. */
function refuseOthers(source: WeightSource, keys: readonly string[]): void {
  const file = source.path;
  const hotshot = keys.find((k) => k.includes('temporal_attentions.') || k.endsWith('pos_encoder.positional_encoding'));
  if (hotshot) unsupported(file, `this is a HotShot-XL motion model for SDXL ('${hotshot}'); piagraph runs Stable Diffusion 1.5 motion models`, 'HotShot-XL');
  const lora = keys.find((k) => k.includes('_lora.') || k.includes('.lora_'));
  if (lora) {
    throw new CheckpointError('not-motion-module', file, `this is a motion LoRA ('${lora}'); load it with Load AnimateDiff LoRA from models/animatediff_motion_lora`, { key: lora });
  }
  const sd = keys.find((k) => k.startsWith('model.diffusion_model.') || k.startsWith('first_stage_model.'));
  if (sd) throw new CheckpointError('not-motion-module', file, `this is a Stable Diffusion checkpoint ('${sd}'), not a motion model`, { key: sd });
  if (keys.includes('FancyVideo')) unsupported(file, 'this is a FancyVideo motion model, which piagraph does not run', 'FancyVideo');
  const extra = keys.find((k) => /^(img_encoder|fps_embedding|motion_embedding|camera_encoder)\./.test(k));
  if (extra) unsupported(file, `this motion model carries '${extra.split('.')[0]}' (AnimateLCM-I2V, CameraCtrl or FancyVideo), which piagraph does not run`);
}

/** The widths of the down blocks' first motion modules, by block index. */
function downWidths(source: WeightSource, keys: readonly string[]): number[] {
  const widths: number[] = [];
  for (const key of keys) {
    const m = DOWN_MODULE.exec(key);
    if (m) widths[Number(m[1])] = source.info(key).shape[0]!;
  }
  return widths;
}

const SDXL_WIDTHS = [320, 640, 1280];

/** The config whose U-Net blocks have the motion modules' widths. */
function configOfWidths(file: string, widths: readonly number[]): PiaModelConfig {
  const same = (a: readonly number[], b: readonly (number | undefined)[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  for (const config of Object.values(modelConfigs)) if (same(config.unet.blockOutChannels, widths)) return config;
  const text = `[${widths.join(', ')}]`;
  if (same(SDXL_WIDTHS, widths)) unsupported(file, `this is an SDXL motion model (AnimateDiff-SDXL: 3 down blocks of widths ${text}); piagraph runs Stable Diffusion 1.5 motion models`, 'SDXL');
  const known = Object.values(modelConfigs).map((c) => `${c.name} [${c.unet.blockOutChannels.join(', ')}]`).join(', ');
  throw new CheckpointError('wrong-family', file, `its motion modules have widths ${text}, which fit no known U-Net (${known})`, { family: 'unknown' });
}

/** The length of the files's position encodings, all equal (`[1, L, C]`); absent: AnimateLCM. */
function positions(source: WeightSource, keys: readonly string[]): number {
  const lengths = new Set<number>();
  for (const key of keys) {
    if (!PE_KEY.test(key)) continue;
    const shape = source.info(key).shape;
    if (shape.length !== 3 || shape[0] !== 1 || !(shape[1]! >= 1)) {
      throw new CheckpointError('shape-mismatch', source.path, `position encoding '${key}' has shape [${shape.join(', ')}], expected [1, frames, channels]`, { key, actualShape: shape });
    }
    lengths.add(shape[1]!);
  }
  if (lengths.size === 0) unsupported(source.path, 'this motion model has no position encodings (AnimateLCM), which piagraph does not run', 'AnimateLCM');
  if (lengths.size > 1) throw new CheckpointError('shape-mismatch', source.path, `its position encodings have different lengths (${[...lengths].join(', ')})`);
  return [...lengths][0]!;
}

/**
 * What `source` is: AnimateDiff v1 (no mid-block module, 24 positions), v2 (mid-block module), v3 (32 positions, no
 * mid block) or PIA (conv_in beside the modules); throws a {@link CheckpointError} naming anything else.
 */
export function recogniseMotionModel(source: WeightSource): MotionModelInfo {
  const keys = source.keys();
  refuseOthers(source, keys);
  const widths = downWidths(source, keys);
  if (widths.length === 0) {
    throw new CheckpointError('not-motion-module', source.path, "no motion modules ('down_blocks.0.motion_modules.0.…'): this is not an AnimateDiff or PIA motion model", {
      key: 'down_blocks.0.motion_modules.0',
    });
  }
  const config = configOfWidths(source.path, widths);
  const maxFrames = positions(source, keys);
  const midBlock = keys.some((k) => k.startsWith('mid_block.motion_modules.'));
  const pia = keys.includes('conv_in.weight');
  // ADE's rule: a mid-block module is v2; otherwise 32 positions are v3 (PIA's file included), anything else v1.
  const version: MotionVersion = midBlock ? 'v2' : maxFrames === 32 ? 'v3' : 'v1';
  const layout = keys.some((k) => k.includes('.temporal_transformer.')) ? 'original' : 'diffusers';
  return { format: pia ? 'PIA' : 'AnimateDiff', version, maxFrames, midBlock, layout, configName: config.name };
}
