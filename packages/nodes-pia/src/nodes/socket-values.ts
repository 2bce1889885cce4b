/**
 * The values that flow through the PIA pack's sockets, declared once and merged into graph-core's
 * `SocketValueMap` so every node's `run` is typed from its declaration.
 */
import type { ClipRecipe, ModelRecipe, VaeRecipe } from '../pipeline/recipes.js';
import type { ContextOptionsValue } from '../samplers/context/options.js';

/** MODEL: a U-Net recipe (checkpoint, PIA modules, LoRAs), opened by the pack's model store when a sampler runs. */
export type ModelValue = ModelRecipe;

/** CLIP: a text-encoder recipe (checkpoint, clip skip, LoRAs). */
export type ClipValue = ClipRecipe;

/** VAE: an autoencoder recipe (a checkpoint's, or a standalone VAE file). */
export type VaeValue = VaeRecipe;

/** CONDITIONING: one prompt's CLIP hidden states `[1, 77, C]`. */
export interface ConditioningValue {
  readonly data: Float32Array;
  readonly dims: readonly [1, number, number];
  readonly text: string;
  /**
   * One embedding per frame, `[frames, 77, C]` frame-major (ADE's prompt scheduling); `data` is then frame 0's. Samplers
   * of videos give frame f the entry f mod frames, as ComfyUI repeats a cond batch to the latent batch.
   */
  readonly perFrame?: { readonly data: Float32Array; readonly frames: number };
}

/** IMAGE: frames `[F, 3, H, W]`, planar float in [0, 1]. */
export interface ImageValue {
  readonly data: Float32Array;
  readonly dims: readonly [frames: number, channels: 3, height: number, width: number];
}

/** AFFINITY: one affinity coefficient per frame (PIA's mask channel values). */
export interface AffinityValue {
  readonly values: readonly number[];
  /** Where the condition image sits in the animation. */
  readonly condFrame: number;
  /** What the values came from, for display (`large-motion`, `custom`, `ramp 0.2–1`). */
  readonly source: string;
}

/**
 * PIA_CONDITION: the condition latent (VAE posterior sample × 0.18215, `[1, 4, h, w]`) that every frame receives,
 * and the per-frame mask values. The sampler expands them to the `[B, 1|4, F, h, w]` U-Net channels.
 */
export interface PiaConditionValue {
  readonly latent: Float32Array;
  readonly latentDims: readonly [1, number, number, number];
  readonly mask: readonly number[];
  readonly condFrame: number;
  /** Pixel size the condition image was encoded at. */
  readonly width: number;
  readonly height: number;
}

/**
 * LATENT, in ComfyUI's layout: a batch `[B, 4, h, w]`, scaled (×0.18215) as the samplers work with it. The frames
 * of a video are the batch, as in ComfyUI's AnimateDiff: frame f is batch entry f.
 */
export interface LatentValue {
  readonly samples: Float32Array;
  readonly dims: readonly [batch: number, channels: number, height: number, width: number];
  /** Where img2img may change the latent (1) and where it must keep it (0), `[B|1, h, w]` (ComfyUI's `noise_mask`). */
  readonly noiseMask?: MaskValue;
  /** Which entries of a larger batch these are (ComfyUI's `batch_index`): the noise of entry i is drawn for index i. */
  readonly batchIndex?: readonly number[];
}

/** MASK: `[B, H, W]` float in [0, 1] (ComfyUI's layout). */
export interface MaskValue {
  readonly data: Float32Array;
  readonly dims: readonly [batch: number, height: number, width: number];
}

declare module '@piagraph/graph-core' {
  interface SocketValueMap {
    MODEL: ModelValue;
    CLIP: ClipValue;
    VAE: VaeValue;
    CONDITIONING: ConditioningValue;
    IMAGE: ImageValue;
    AFFINITY: AffinityValue;
    PIA_CONDITION: PiaConditionValue;
    LATENT: LatentValue;
    MASK: MaskValue;
    CONTEXT_OPTIONS: ContextOptionsValue;
  }
}

/**
 * Cache-accounting size of a recipe. The sessions live in the pack's model store, which shares them between runs and
 * nodes; a cache entry only describes them, so evicting it frees nothing and it counts as small.
 */
export const MODEL_HANDLE_BYTES = 1024;

/** Bytes of the typed arrays in `values`, for `NodeResult.sizeBytes`. */
export function bytesOf(...values: readonly { readonly byteLength: number }[]): number {
  return values.reduce((sum, v) => sum + v.byteLength, 0);
}
