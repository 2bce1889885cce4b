/**
 * CONTEXT_OPTIONS: how a long animation is sampled in overlapping windows of frames (AnimateDiff-Evolved's context
 * options). Each U-Net call sees one window; the windows' predictions are fused per frame with the fuse method's
 * weights. Made by ADE's context option nodes (`nodes/animatediff/context-options.ts`) and read by the samplers.
 * VIEW_OPTS (`ViewOptionsValue`) lay out windows inside a context window the same way; CONTEXT_EXTRAS
 * (`ContextExtrasValue`) add NaiveReuse or ContextRef.
 */

/**
 * How the windows are laid out (ADE's `ContextSchedules`); `view_as_context` is one window over the whole video,
 * which leaves the work to the view options (ADE's Views Only context options).
 */
export type ContextSchedule = 'standard_uniform' | 'standard_static' | 'looped_uniform' | 'batched' | 'view_as_context';

/**
 * ADE's `ContextFuseMethod.LIST`, in its order: what the context and view option nodes offer. The 🔬 names are ADE's
 * experimental methods (the emoji is part of the name a workflow stores).
 */
export const FUSE_METHODS = [
  'pyramid',
  'flat',
  'overlap-linear',
  '🔬delayed reverse sawtooth',
  '🔬pyramid-sigma',
  '🔬pyramid-sigma inverse',
  '🔬gauss-sigma',
  '🔬gauss-sigma inverse',
  '🔬random',
] as const;

/** ADE's `ContextFuseMethod.LIST_STATIC`: Standard Static also offers `relative`. */
export const FUSE_METHODS_STATIC = [
  'pyramid',
  'relative',
  'flat',
  'overlap-linear',
  '🔬delayed reverse sawtooth',
  '🔬pyramid-sigma',
  '🔬pyramid-sigma inverse',
  '🔬gauss-sigma',
  '🔬gauss-sigma inverse',
  '🔬random',
] as const;

/**
 * The names ADE used before it marked the experimental methods with 🔬; its weight table still maps them, so a value
 * made elsewhere with one of them is honoured.
 */
export const DEPRECATED_FUSE_METHODS = {
  random: '🔬random',
  'gauss-sigma': '🔬gauss-sigma',
  'gauss-sigma inverse': '🔬gauss-sigma inverse',
  'delayed reverse sawtooth': '🔬delayed reverse sawtooth',
  'pyramid-sigma': '🔬pyramid-sigma',
  'pyramid-sigma inverse': '🔬pyramid-sigma inverse',
} as const satisfies Record<string, (typeof FUSE_METHODS)[number]>;

export type FuseMethod = (typeof FUSE_METHODS_STATIC)[number] | keyof typeof DEPRECATED_FUSE_METHODS;

/** Whether `name` is a fuse method ADE's weight table knows (current or deprecated name). */
export function isFuseMethod(name: unknown): name is FuseMethod {
  return typeof name === 'string' && ((FUSE_METHODS_STATIC as readonly string[]).includes(name) || name in DEPRECATED_FUSE_METHODS);
}

/** How one level of windows is laid out and fused: what context options and view options have in common. */
export interface WindowLayout {
  readonly schedule: ContextSchedule;
  /** Frames per window (ADE's `context_length` / `view_length`; AnimateDiff's motion modules were trained on 16). */
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
}

/**
 * VIEW_OPTS (ADE's View Options nodes): windows inside each context window. ADE runs them inside the motion modules
 * only; piagraph's U-Net is one graph, so it runs each view as a U-Net call of its own (see `plan.ts`).
 */
export interface ViewOptionsValue extends WindowLayout {
  readonly kind: 'view-options';
}

/** One NaiveReuse keyframe (`ADE_ContextExtras_NaiveReuse_Keyframe` and the interpolation/list nodes). */
export interface NaiveReuseKeyframe {
  readonly mult: number;
  /** A multival's number (the nodes refuse masked multivals here). */
  readonly multMultival?: number;
  readonly startPercent: number;
  readonly guaranteeSteps: number;
  readonly inheritMissing: boolean;
}

/** NAIVEREUSE_KEYFRAME: keyframes in the order added (sorted by start_percent when used, as ADE sorts them). */
export interface NaiveReuseKeyframesValue {
  readonly kind: 'naivereuse-keyframes';
  readonly keyframes: readonly NaiveReuseKeyframe[];
}

/**
 * NaiveReuse (`ADE_ContextExtras_NaiveReuse`): between `startPercent` and `endPercent` the first window's prediction
 * is tiled over the video and mixed into every frame with weight `weightedMean` (× keyframe mult × multivals).
 */
export interface NaiveReuseValue {
  readonly startPercent: number;
  readonly endPercent: number;
  readonly weightedMean: number;
  readonly multival?: number;
  readonly keyframes?: NaiveReuseKeyframesValue;
}

/** CONTEXTREF_MODE: which windows write the reference (ADE's `ContextRefMode`). */
export type ContextRefModeValue =
  | { readonly kind: 'contextref-mode'; readonly mode: 'first' }
  | { readonly kind: 'contextref-mode'; readonly mode: 'sliding'; readonly slidingWidth: number }
  | { readonly kind: 'contextref-mode'; readonly mode: 'indexes'; readonly indexes: readonly number[] };

/** CONTEXTREF_TUNE: the reference attention's strengths (ADE's `ContextRefTune`). */
export interface ContextRefTuneValue {
  readonly kind: 'contextref-tune';
  readonly attnStyleFidelity: number;
  readonly attnRefWeight: number;
  readonly attnStrength: number;
  readonly adainStyleFidelity: number;
  readonly adainRefWeight: number;
  readonly adainStrength: number;
}

/** One ContextRef keyframe. */
export interface ContextRefKeyframe {
  readonly mult: number;
  /** A multival's number (the nodes refuse masked multivals here). */
  readonly multMultival?: number;
  readonly modeReplace?: ContextRefModeValue;
  readonly tuneReplace?: ContextRefTuneValue;
  readonly startPercent: number;
  readonly guaranteeSteps: number;
  readonly inheritMissing: boolean;
}

/** CONTEXTREF_KEYFRAME. */
export interface ContextRefKeyframesValue {
  readonly kind: 'contextref-keyframes';
  readonly keyframes: readonly ContextRefKeyframe[];
}

/**
 * ContextRef (`ADE_ContextExtras_ContextRef`): the reference windows' spatial self-attention keys/values are shared
 * into the other windows. ADE delegates it to Advanced-ControlNet's reference attention.
 */
export interface ContextRefValue {
  readonly startPercent: number;
  readonly endPercent: number;
  readonly multival?: number;
  readonly mode: ContextRefModeValue;
  readonly tune: ContextRefTuneValue;
  readonly keyframes?: ContextRefKeyframesValue;
}

/** CONTEXT_EXTRAS: at most one of each extra (ADE's `ContextExtrasGroup`: a later one of a kind replaces it). */
export interface ContextExtrasValue {
  readonly kind: 'context-extras';
  readonly contextRef?: ContextRefValue;
  readonly naiveReuse?: NaiveReuseValue;
}

/** One set of context options; `prev` chains another (ADE applies them by their start_percent, see `schedule.ts`). */
export interface ContextOptionsValue extends WindowLayout {
  readonly kind: 'context-options';
  /** From which fraction of the sampling these options apply (`start_percent`), and for at least how many steps. */
  readonly startPercent: number;
  readonly guaranteeSteps: number;
  /** Windows inside each context window (`view_opts`). */
  readonly viewOptions?: ViewOptionsValue;
  /** NaiveReuse and ContextRef (`ADE_ContextExtras_Set`); held by the whole chain as ADE's group holds them. */
  readonly extras?: ContextExtrasValue;
  readonly prev?: ContextOptionsValue;
}

/** The options of a chain, `prev` first (the order they were added). */
export function contextChain(options: ContextOptionsValue): ContextOptionsValue[] {
  const chain: ContextOptionsValue[] = [];
  for (let o: ContextOptionsValue | undefined = options; o; o = o.prev) chain.unshift(o);
  return chain;
}

/** The chain sorted by start_percent, equal ones kept in the order added (ADE's `get_sorted_list_via_attr`). */
export function sortedContextChain(options: ContextOptionsValue): ContextOptionsValue[] {
  return contextChain(options)
    .map((o, i) => ({ o, i }))
    .sort((a, b) => a.o.startPercent - b.o.startPercent || a.i - b.i)
    .map(({ o }) => o);
}

/** The extras of a chain: ADE keeps one group per chain, the last `ADE_ContextExtras_Set` wins. */
export function chainExtras(options: ContextOptionsValue): ContextExtrasValue | undefined {
  for (let o: ContextOptionsValue | undefined = options; o; o = o.prev) if (o.extras) return o.extras;
  return undefined;
}

/**
 * The most frames one U-Net call sees under `options` (what the motion model's positions must cover): the view length
 * when views are set (ADE checks the same), else the context length; `undefined` for a views-only context without
 * view options (cannot be made by the nodes).
 */
export function framesPerCall(options: ContextOptionsValue): number | undefined {
  if (options.viewOptions) return options.viewOptions.contextLength;
  return options.schedule === 'view_as_context' ? undefined : options.contextLength;
}
