/**
 * Writers of generated checkpoints in the real file layouts and key names: an SD 1.5-shaped single file (LDM
 * layout), a diffusers folder, and PIA motion-module files (original `.ckpt` / `.safetensors`, or diffusers
 * MotionAdapter names). Tensors are produced one at a time while writing, so the full-size `sd15` model
 * (≈ 1.28 B U-Net parameters) streams to disk without being held in memory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { componentKeys } from '../checkpoints/key-map.js';
import { LDM_PREFIX, motionPeKeys, type KeySpec } from '../checkpoints/key-table.js';
import type { PiaModelConfig } from '../models/config.js';
import { writeSafetensors } from '../weights/safetensors-write.js';
import type { TensorToWrite } from '../weights/tensor-input.js';
import { writeTorchCheckpoint } from '../weights/torch-zip-write.js';
import { initTensor, type InitOptions } from './random-init.js';

/** Options of the generators. */
export interface GenerateOptions extends InitOptions {
  readonly seed?: number;
}

const DEFAULT_SEED = 20240805;

function tensor(name: string, shape: readonly number[], options: GenerateOptions): TensorToWrite {
  return { dtype: 'F32', shape, data: () => initTensor(name, shape, options.seed ?? DEFAULT_SEED, options) };
}

/** The SD checkpoint's own conv_in has the latent's 4 channels; PIA adds the other 5. */
function sdShape(config: PiaModelConfig, spec: KeySpec, shape: readonly number[]): readonly number[] {
  if (spec.name !== 'conv_in.weight') return shape;
  const [c, , k, k2] = shape as [number, number, number, number];
  return [c, config.unet.latentChannels, k, k2];
}

/** Every tensor of an LDM single-file SD checkpoint: `[ldmKey, tensor]`. */
export function ldmCheckpointTensors(config: PiaModelConfig, options: GenerateOptions = {}): [string, TensorToWrite][] {
  const out: [string, TensorToWrite][] = [];
  for (const component of ['unet', 'vae', 'clip'] as const) {
    for (const spec of componentKeys(config, component).specs) {
      const shape = sdShape(config, spec, spec.altShape ?? spec.shape);
      out.push([LDM_PREFIX[component] + spec.alt, tensor(`${component}.${spec.name}`, shape, options)]);
    }
  }
  return out;
}

/** Writes an SD 1.5-shaped single-file checkpoint (LDM layout, fp32) as `.safetensors` or `.ckpt`. */
export async function writeLdmCheckpoint(path: string, config: PiaModelConfig, options: GenerateOptions = {}): Promise<void> {
  const tensors = ldmCheckpointTensors(config, options);
  if (path.endsWith('.safetensors')) {
    await writeSafetensors(path, tensors, { metadata: { 'piagraph.generated': config.name, format: 'pt' } });
  } else {
    await writeTorchCheckpoint(path, tensors, { nestUnder: 'state_dict' });
  }
}

/** Writes the same model as a diffusers folder (`unet/`, `vae/`, `text_encoder/` safetensors). */
export async function writeDiffusersFolder(dir: string, config: PiaModelConfig, options: GenerateOptions = {}): Promise<void> {
  const parts = [
    ['unet', 'unet/diffusion_pytorch_model.safetensors'],
    ['vae', 'vae/diffusion_pytorch_model.safetensors'],
    ['clip', 'text_encoder/model.safetensors'],
  ] as const;
  for (const [component, file] of parts) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    const tensors = componentKeys(config, component).specs.map(
      (s) => [s.name, tensor(`${component}.${s.name}`, sdShape(config, s, s.shape), options)] as [string, TensorToWrite],
    );
    await writeSafetensors(join(dir, file), tensors, { metadata: { format: 'pt' } });
  }
  await writeFile(join(dir, 'model_index.json'), `${JSON.stringify({ _class_name: 'StableDiffusionPipeline', piagraph_generated: config.name }, null, 2)}\n`);
}

/** The layouts a generated motion-module file can take. */
export type MotionFileLayout = 'original' | 'diffusers';

/** Every tensor of a PIA motion-module file: conv_in (9 channels) and the motion modules, original names with `pe` buffers. */
export function motionFileTensors(config: PiaModelConfig, layout: MotionFileLayout, options: GenerateOptions = {}): [string, TensorToWrite][] {
  const unet = componentKeys(config, 'unet').byName;
  const out: [string, TensorToWrite][] = [
    ['conv_in.weight', tensor('pia.conv_in.weight', unet.get('conv_in.weight')!.shape, options)],
    ['conv_in.bias', tensor('pia.conv_in.bias', unet.get('conv_in.bias')!.shape, options)],
  ];
  for (const spec of componentKeys(config, 'motion').specs) {
    out.push([layout === 'original' ? spec.alt : spec.name, tensor(`motion.${spec.name}`, spec.shape, options)]);
  }
  if (layout === 'original') for (const pe of motionPeKeys(config.unet)) out.push([pe.alt, tensor(pe.alt, pe.shape, options)]);
  return out;
}

/** Writes a PIA motion-module file: `.ckpt` (PyTorch zip) or `.safetensors`, original or MotionAdapter names. */
export async function writeMotionFile(path: string, config: PiaModelConfig, layout: MotionFileLayout, options: GenerateOptions = {}): Promise<void> {
  const tensors = motionFileTensors(config, layout, options);
  if (path.endsWith('.safetensors')) await writeSafetensors(path, tensors, { metadata: { 'piagraph.generated': config.name } });
  else await writeTorchCheckpoint(path, tensors);
}
