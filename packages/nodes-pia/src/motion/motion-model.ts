/**
 * What a motion-model file is: AnimateDiff v1/v2/v3 or PIA, told apart the way AnimateDiff-Evolved tells them (a
 * mid-block module makes v2, 32 positions without one v3, 24 positions v1; PIA's file adds the 9-channel conv_in).
 * The facts the U-Net build needs (positions, mid block, how its GroupNorms run) follow from the kind.
 */

/** The motion-model families piagraph runs. */
export type MotionFormat = 'AnimateDiff' | 'PIA';

/** AnimateDiff's release a file belongs to (ADE's `AnimateDiffVersion`). */
export type MotionVersion = 'v1' | 'v2' | 'v3';

/** A recognised motion-model file. */
export interface MotionModelInfo {
  readonly format: MotionFormat;
  readonly version: MotionVersion;
  /** Length of the position encoding: the most frames one U-Net call may take (24 for v1, 32 for v2/v3/PIA). */
  readonly maxFrames: number;
  /** Whether the mid block has a motion module (AnimateDiff v2). */
  readonly midBlock: boolean;
  /** Key names: the original AnimateDiff/PIA layout, or diffusers' MotionAdapter. */
  readonly layout: 'original' | 'diffusers';
  /** The name of the model config (`sd15`, `tiny`) whose U-Net the modules fit, read off their widths. */
  readonly configName: string;
}

/** `AnimateDiff v2`, `PIA (v3)`, for messages and the node's status text. */
export function motionLabel(info: MotionModelInfo): string {
  return info.format === 'PIA' ? 'PIA' : `AnimateDiff ${info.version}`;
}

/**
 * How the U-Net's GroupNorms take their statistics while this motion model is applied:
 * - `per-frame`: every frame alone, as the image U-Net computes (AnimateDiff v2 "applied properly", v3);
 * - `all-across-frames`: every GroupNorm of the U-Net (resnets, spatial transformers, motion modules, the final norm)
 *   over all frames of a sample, which is what ADE's GroupNorm hack does for v1, PIA and v2 not applied properly;
 * - `resnets-across-frames`: resnets and the final norm over all frames, transformers per frame (PIA's own code;
 *   piagraph's PIA nodes).
 */
export type FrameNorms = 'per-frame' | 'all-across-frames' | 'resnets-across-frames';

/** ADE's choice of norms for a motion model (`apply_v2_properly` defaults to true, as in ADE's sample settings). */
export function adeFrameNorms(info: MotionModelInfo, applyV2Properly = true): FrameNorms {
  if (info.format === 'PIA' || info.version === 'v1' || (info.version === 'v2' && !applyV2Properly)) return 'all-across-frames';
  return 'per-frame';
}
