/**
 * Configurations of the three networks of a PIA pipeline. `sd15` is the real one (SD 1.5 + PIA motion
 * modules); `tiny` is a miniature with the same structure and key patterns, for tests and the demo.
 */

/** PIA U-Net: SD 1.5 U-Net + AnimateDiff motion modules + 9-channel conv_in. */
export interface UNetConfig {
  /** Channels of each down block; up blocks mirror them. The last down block has no attention. */
  readonly blockOutChannels: readonly number[];
  /** Resnets per down block (up blocks have one more). */
  readonly layersPerBlock: number;
  /** Attention heads of the spatial transformers (SD 1.5 calls this `attention_head_dim: 8`). */
  readonly attentionHeads: number;
  /** Width of the text embedding that cross-attention reads. */
  readonly crossAttentionDim: number;
  /** GroupNorm groups of resnets and spatial transformers (and conv_norm_out). */
  readonly normGroups: number;
  /**
   * GroupNorm groups of the motion modules: AnimateDiff's and PIA's `TemporalTransformer3DModel` always uses 32,
   * whatever the U-Net's own setting (diffusers calls it `motion_norm_num_groups`). 32 in every config, the tiny one
   * too, so that tiny motion modules are modules the original code can load and run.
   */
  readonly motionNormGroups: number;
  /** Channels of the noisy latent and of the predicted noise. */
  readonly latentChannels: number;
  /** Channels of conv_in: latent | affinity mask | condition latent (4 + 1 + 4 for PIA). */
  readonly inChannels: number;
  /** Attention heads of the temporal transformers. */
  readonly motionHeads: number;
  /** Length of the sinusoidal position encoding: the most frames one call can take. */
  readonly motionMaxFrames: number;
}

/** AutoencoderKL. */
export interface VaeConfig {
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: number;
  readonly normGroups: number;
  readonly latentChannels: number;
  readonly imageChannels: number;
  /** Latents are multiplied by this after encoding and divided by it before decoding. */
  readonly scalingFactor: number;
}

/** CLIP text tower (OpenAI ViT-L/14 for SD 1.5). */
export interface ClipConfig {
  readonly vocabSize: number;
  readonly maxPositions: number;
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediateSize: number;
}

/** The three networks of one model family. */
export interface PiaModelConfig {
  readonly name: string;
  readonly unet: UNetConfig;
  readonly vae: VaeConfig;
  readonly clip: ClipConfig;
}

/** Stable Diffusion 1.5 with PIA's motion modules and condition module (pia-model.md §3.1). */
export const sd15: PiaModelConfig = {
  name: 'sd15',
  unet: {
    blockOutChannels: [320, 640, 1280, 1280],
    layersPerBlock: 2,
    attentionHeads: 8,
    crossAttentionDim: 768,
    normGroups: 32,
    motionNormGroups: 32,
    latentChannels: 4,
    inChannels: 9,
    motionHeads: 8,
    motionMaxFrames: 32,
  },
  vae: {
    blockOutChannels: [128, 256, 512, 512],
    layersPerBlock: 2,
    normGroups: 32,
    latentChannels: 4,
    imageChannels: 3,
    scalingFactor: 0.18215,
  },
  clip: { vocabSize: 49408, maxPositions: 77, width: 768, layers: 12, heads: 12, intermediateSize: 3072 },
};

/**
 * A miniature of `sd15` with the same structure: two U-Net blocks (one with attention, one without), a VAE that
 * still downsamples 8× (so pixel and latent sizes relate as in the real model), and the real CLIP vocabulary
 * and context length so the real tokenizer's ids fit.
 */
export const tiny: PiaModelConfig = {
  name: 'tiny',
  unet: {
    blockOutChannels: [32, 64],
    layersPerBlock: 2,
    attentionHeads: 2,
    crossAttentionDim: 32,
    normGroups: 8,
    // Not 8 like the tiny U-Net's own norms: the original motion module always has 32 (its widths 32 and 64 divide).
    motionNormGroups: 32,
    latentChannels: 4,
    inChannels: 9,
    motionHeads: 2,
    motionMaxFrames: 32,
  },
  vae: {
    blockOutChannels: [16, 32, 32, 32],
    layersPerBlock: 1,
    normGroups: 8,
    latentChannels: 4,
    imageChannels: 3,
    scalingFactor: 0.18215,
  },
  clip: { vocabSize: 49408, maxPositions: 77, width: 32, layers: 2, heads: 2, intermediateSize: 128 },
};

/** Configs by name, for files and caches that record which one they were built with. */
export const modelConfigs: Readonly<Record<string, PiaModelConfig>> = { sd15, tiny };

/** Width of the time embedding (4 × the first block's channels, 1280 for SD 1.5). */
export function timeEmbedDim(unet: UNetConfig): number {
  return 4 * firstChannels(unet.blockOutChannels);
}

/** How much smaller the latent is than the image (8 for SD 1.5). */
export function vaeScaleFactor(vae: VaeConfig): number {
  return 2 ** (vae.blockOutChannels.length - 1);
}

/** Whether down block `b` has spatial transformers (all but the last, as in SD 1.5). */
export function downBlockHasAttention(unet: UNetConfig, b: number): boolean {
  return b < unet.blockOutChannels.length - 1;
}

/** Whether up block `b` has spatial transformers (all but the first, mirroring the down path). */
export function upBlockHasAttention(unet: UNetConfig, b: number): boolean {
  return b > 0;
}

/** Channels at index `i`, for configs whose arrays are known to be long enough. */
export function channelsAt(channels: readonly number[], i: number): number {
  const c = channels[i];
  if (c === undefined) throw new RangeError(`no block ${i} in a config with ${channels.length} blocks`);
  return c;
}

function firstChannels(channels: readonly number[]): number {
  return channelsAt(channels, 0);
}
