/**
 * The values that flow through the PIA pack's sockets, declared once and merged into graph-core's
 * `SocketValueMap` so every node's `run` is typed from its declaration.
 */
import type { ClipHandle, PiaModelConfig, UNetHandle, VaeHandle } from '../models/index.js';
import type { ClipTokenizer } from '../tokenizer/index.js';

/** MODEL: the loaded PIA U-Net (SD 1.5 U-Net + motion modules + 9-channel conv_in). */
export interface PiaModelValue {
  readonly kind: 'pia-model';
  /** `checkpoint|pia` file names; the key under which the pack's model store shares the sessions. */
  readonly key: string;
  readonly unet: UNetHandle;
  readonly config: PiaModelConfig;
  readonly checkpointName: string;
  readonly piaName: string;
}

/** CLIP: the tokenizer and the text encoder of the checkpoint. */
export interface ClipValue {
  readonly kind: 'clip';
  readonly key: string;
  readonly tokenizer: ClipTokenizer;
  readonly encoder: ClipHandle;
}

/** VAE: encoder and decoder of the checkpoint. */
export interface VaeValue {
  readonly kind: 'vae';
  readonly key: string;
  readonly vae: VaeHandle;
  readonly config: PiaModelConfig;
}

/** CONDITIONING: one prompt's CLIP hidden states `[1, 77, C]`. */
export interface ConditioningValue {
  readonly data: Float32Array;
  readonly dims: readonly [1, number, number];
  readonly text: string;
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

/** LATENT: the denoised video latent `[1, 4, F, h, w]` (scaled, as the sampler works with it). */
export interface LatentValue {
  readonly samples: Float32Array;
  readonly dims: readonly [1, number, number, number, number];
}

declare module '@piagraph/graph-core' {
  interface SocketValueMap {
    MODEL: PiaModelValue;
    CLIP: ClipValue;
    VAE: VaeValue;
    CONDITIONING: ConditioningValue;
    IMAGE: ImageValue;
    AFFINITY: AffinityValue;
    PIA_CONDITION: PiaConditionValue;
    LATENT: LatentValue;
  }
}

/**
 * Cache-accounting size of model handles. The sessions live in the pack's model store, which shares them between
 * runs and nodes; a cache entry only points at them, so evicting it frees nothing and it counts as small.
 */
export const MODEL_HANDLE_BYTES = 1024;

/** Bytes of the typed arrays in `values`, for `NodeResult.sizeBytes`. */
export function bytesOf(...values: readonly { readonly byteLength: number }[]): number {
  return values.reduce((sum, v) => sum + v.byteLength, 0);
}
