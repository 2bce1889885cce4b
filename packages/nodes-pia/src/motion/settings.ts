/**
 * The values AnimateDiff-Evolved's nodes hand each other besides MODEL: multivals (a number, optionally a mask),
 * PIA inputs (paper presets or a multival), and sample settings (how the initial noise is drawn).
 */
import type { ImageValue, MaskValue, VaeValue } from '../nodes/socket-values.js';

/** MULTIVAL: a float, or a float times a mask (ADE's `create_multival_combo`). */
export interface MultivalValue {
  readonly kind: 'multival';
  readonly value: number;
  /** Per-frame/per-pixel weights `[B, H, W]`; piagraph's motion patches use scalar multivals only. */
  readonly mask?: MaskValue;
}

/** PIA_INPUT: where PIA's per-frame affinity (the mask channel) comes from. */
export type PiaInputValue =
  | {
      readonly kind: 'paper-preset';
      /** One of PIA's paper presets (`Animation (Small Motion)` …). */
      readonly preset: string;
      /** The frame the condition image sits on (negative counts from the end). */
      readonly index: number;
      /** Multiplies the preset's values (`mult_multival`). */
      readonly mult: number;
    }
  | { readonly kind: 'multival'; readonly value: number };

/** PIA's image condition as ADE takes it: the image (batch), the VAE to encode it, and the affinity input. */
export interface AdePiaInput {
  readonly image: ImageValue;
  readonly vae: VaeValue;
  readonly input: PiaInputValue;
}

/** ADE's noise types (`NoiseLayerType.LIST`). */
export const NOISE_TYPES = ['default', 'constant', 'empty', 'repeated_context', 'FreeNoise'] as const;
export type NoiseType = (typeof NOISE_TYPES)[number];

/** ADE's seed generators (`SeedNoiseGeneration.LIST`): ComfyUI's one draw for the batch, or A1111's seed per frame. */
export const SEED_GENS = ['comfy', 'comfy [gpu]', 'auto1111', 'auto1111 [gpu]'] as const;
export type SeedGen = (typeof SEED_GENS)[number];

/** SAMPLE_SETTINGS: ADE's `SampleSettings`, the parts defined without external models. */
export interface SampleSettingsValue {
  readonly kind: 'sample-settings';
  readonly batchOffset: number;
  readonly noiseType: NoiseType;
  readonly seedGen: SeedGen;
  readonly seedOffset: number;
  /** Replaces the KSampler's seed (`seed_override`). */
  readonly seedOverride?: number;
}

/** The default sample settings (ADE's `SampleSettings()`). */
export const DEFAULT_SAMPLE_SETTINGS: SampleSettingsValue = { kind: 'sample-settings', batchOffset: 0, noiseType: 'default', seedGen: 'comfy', seedOffset: 0 };
