/**
 * What a motion-model file is: AnimateDiff v1/v2/v3 or PIA, told apart the way AnimateDiff-Evolved tells them (a
 * mid-block module makes v2, 32 positions without one v3, 24 positions v1; PIA's file adds the 9-channel conv_in).
 * The facts the U-Net build needs (positions, mid block, how its GroupNorms run) follow from the kind.
 */
import type { FrameNorms } from '../models/unet.js';

export type { FrameNorms };

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
 * ADE's choice of GroupNorms for a motion model: its GroupNorm hack (every norm over the frames of the window) for v1,
 * PIA and v2 when not "applied properly" (`apply_v2_properly` defaults to true in ADE); per frame otherwise.
 */
export function adeFrameNorms(info: MotionModelInfo, applyV2Properly = true): FrameNorms {
  if (info.format === 'PIA' || info.version === 'v1' || (info.version === 'v2' && !applyV2Properly)) return 'all-across-frames';
  return 'per-frame';
}
