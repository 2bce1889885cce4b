/**
 * The values AnimateDiff-Evolved's nodes exchange, merged into graph-core's `SocketValueMap` so each node's `run` is
 * typed from its declaration.
 */
import type { LoraApplication, ModelFile } from '../../pipeline/recipes.js';
import type { MotionModelInfo } from '../../motion/motion-model.js';
import type { AdePiaInput, MultivalValue, PiaInputValue, SampleSettingsValue } from '../../motion/settings.js';

/** MOTION_MODEL_ADE: a recognised motion-model file (ADE's `MotionModelPatcher`, before it is applied). */
export interface MotionModelValue {
  readonly kind: 'motion-model';
  readonly file: ModelFile;
  readonly info: MotionModelInfo;
}

/** One motion model as `ADE_ApplyAnimateDiffModel` applies it. */
export interface AppliedMotionModel {
  readonly model: MotionModelValue;
  readonly loras: MotionLoraValue;
  readonly scale?: MultivalValue;
  readonly effect?: MultivalValue;
  readonly startPercent: number;
  readonly endPercent: number;
  readonly pia?: AdePiaInput;
}

/** M_MODELS: the applied motion models, the most recently applied first (as ADE keeps them). */
export type MotionModelsValue = readonly AppliedMotionModel[];

/** MOTION_LORA: motion LoRAs with strengths, in the order they were chained. */
export type MotionLoraValue = readonly LoraApplication[];

/** Inputs ADE declares for features piagraph does not implement; no piagraph node produces them. */
export interface UnsupportedAdeValue {
  readonly kind: 'unsupported';
}

declare module '@piagraph/graph-core' {
  interface SocketValueMap {
    MOTION_MODEL_ADE: MotionModelValue;
    M_MODELS: MotionModelsValue;
    MOTION_LORA: MotionLoraValue;
    MULTIVAL: MultivalValue;
    PIA_INPUT: PiaInputValue;
    SAMPLE_SETTINGS: SampleSettingsValue;
    AD_SETTINGS: UnsupportedAdeValue;
    AD_KEYFRAMES: UnsupportedAdeValue;
    PER_BLOCK: UnsupportedAdeValue;
    VALUES_REPLACE: UnsupportedAdeValue;
    NOISE_LAYERS: UnsupportedAdeValue;
    ITERATION_OPTS: UnsupportedAdeValue;
    CUSTOM_CFG: UnsupportedAdeValue;
    SIGMA_SCHEDULE: UnsupportedAdeValue;
    IMAGE_INJECT: UnsupportedAdeValue;
    ANCESTRAL_OPTS: UnsupportedAdeValue;
  }
}
