/**
 * Recognising what a checkpoint is before mapping it: models of another family (SDXL, SD 2.x) are refused by
 * name, and the config (`sd15`, `tiny`) is chosen by the shapes of a few signature tensors.
 */
import { modelConfigs, type PiaModelConfig } from '../models/config.js';
import type { WeightSource } from '../weights/weight-source.js';
import { CheckpointError } from './errors.js';

const CROSS_ATTN_LDM = 'model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight';
const CROSS_ATTN_DIFFUSERS = 'down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight';

function familyOfCrossDim(dim: number | undefined): string | undefined {
  if (dim === 1024) return 'Stable Diffusion 2.x (1024-dim cross-attention)';
  if (dim === 2048) return 'SDXL (2048-dim cross-attention)';
  return undefined;
}

function refuse(file: string, family: string, evidence: string): never {
  throw new CheckpointError(
    'wrong-family',
    file,
    `this is a ${family} checkpoint (${evidence}); PIA needs a Stable Diffusion 1.5 checkpoint`,
    { family },
  );
}

/** Throws `wrong-family` for SDXL and SD 2.x single-file checkpoints. */
export function refuseOtherLdmFamilies(source: WeightSource): void {
  const keys = source.keys();
  const sdxl = keys.find((k) => k.startsWith('conditioner.embedders.') || k.startsWith('model.diffusion_model.label_emb.'));
  if (sdxl) refuse(source.path, 'SDXL', `it has '${sdxl}'`);
  const openClip = keys.find((k) => k.startsWith('cond_stage_model.model.'));
  if (openClip) refuse(source.path, 'Stable Diffusion 2.x', `its text encoder is OpenCLIP: '${openClip}'`);
  if (source.has(CROSS_ATTN_LDM)) {
    const family = familyOfCrossDim(source.info(CROSS_ATTN_LDM).shape[1]);
    if (family) refuse(source.path, family, `'${CROSS_ATTN_LDM}' is ${JSON.stringify(source.info(CROSS_ATTN_LDM).shape)}`);
  }
}

/** Throws `wrong-family` for the U-Net of an SDXL or SD 2.x diffusers folder. */
export function refuseOtherDiffusersFamilies(unet: WeightSource): void {
  const sdxl = unet.keys().find((k) => k.startsWith('add_embedding.'));
  if (sdxl) refuse(unet.path, 'SDXL', `it has '${sdxl}'`);
  if (unet.has(CROSS_ATTN_DIFFUSERS)) {
    const family = familyOfCrossDim(unet.info(CROSS_ATTN_DIFFUSERS).shape[1]);
    if (family) refuse(unet.path, family, `'${CROSS_ATTN_DIFFUSERS}' is ${JSON.stringify(unet.info(CROSS_ATTN_DIFFUSERS).shape)}`);
  }
}

/**
 * The config whose U-Net matches the checkpoint: first conv's output channels and the cross-attention width.
 * `convIn` and `crossAttn` are the keys of those tensors in the file's layout.
 */
export function detectConfig(source: WeightSource, convIn: string, crossAttn: string): PiaModelConfig {
  if (!source.has(convIn)) {
    throw new CheckpointError('missing-tensor', source.path, `no '${convIn}': not a Stable Diffusion U-Net`, { key: convIn });
  }
  const channels = source.info(convIn).shape[0];
  const cross = source.has(crossAttn) ? source.info(crossAttn).shape[1] : undefined;
  for (const config of Object.values(modelConfigs)) {
    if (config.unet.blockOutChannels[0] === channels && (cross === undefined || cross === config.unet.crossAttentionDim)) return config;
  }
  throw new CheckpointError(
    'unknown-config',
    source.path,
    `no known model config has ${channels} first-block channels and cross-attention width ${cross ?? '?'} (known: ${Object.keys(modelConfigs).join(', ')})`,
  );
}

/** Keys of the LDM and diffusers layouts that {@link detectConfig} reads. */
export const SIGNATURE_KEYS = {
  ldm: { convIn: 'model.diffusion_model.input_blocks.0.0.weight', crossAttn: CROSS_ATTN_LDM },
  diffusers: { convIn: 'conv_in.weight', crossAttn: CROSS_ATTN_DIFFUSERS },
} as const;
