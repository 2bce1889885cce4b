/**
 * CONTEXT_OPTIONS: how a long animation is sampled in overlapping windows of frames (AnimateDiff-Evolved's context
 * options). Each U-Net call sees one window; the windows' predictions are fused per frame with the fuse method's
 * weights. Made by ADE's context option nodes (`nodes/animatediff/context-options.ts`) and read by the samplers.
 */

/** How the windows are laid out (ADE's context option nodes). */
export type ContextSchedule = 'standard_uniform' | 'standard_static' | 'looped_uniform' | 'batched';

/** How the predictions of overlapping windows are weighted per frame (ADE's `fuse_method` names). */
export const FUSE_METHODS = ['pyramid', 'flat', 'overlap-linear'] as const;
export type FuseMethod = (typeof FUSE_METHODS)[number];

/** One set of context options; `prev` chains another (ADE applies the first whose step range covers the step). */
export interface ContextOptionsValue {
  readonly kind: 'context-options';
  readonly schedule: ContextSchedule;
  /** Frames per window (ADE's `context_length`; AnimateDiff's motion modules were trained on 16). */
  readonly contextLength: number;
  /** Powers of two of spread windows (`context_stride`: 1 = contiguous windows only). */
  readonly contextStride: number;
  /** Frames shared by neighbouring windows (`context_overlap`). */
  readonly contextOverlap: number;
  /** Looped: windows wrap from the last frame to the first, for seamless loops. */
  readonly closedLoop: boolean;
  readonly fuseMethod: FuseMethod;
  /** Use windows even when the frames fit in one (`use_on_equal_length`). */
  readonly useOnEqualLength: boolean;
  /** From which fraction of the sampling these options apply (`start_percent`), and for at least how many steps. */
  readonly startPercent: number;
  readonly guaranteeSteps: number;
  /** ContextRef and other extras (`ADE_ContextExtras_Set`), kept for the samplers that honour them. */
  readonly extras?: Readonly<Record<string, unknown>>;
  readonly prev?: ContextOptionsValue;
}
