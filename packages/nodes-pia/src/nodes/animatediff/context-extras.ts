/**
 * AnimateDiff-Evolved's context extras nodes (class names, inputs, widget order and defaults as ADE declares them in
 * nodes_context_extras.py): `ADE_ContextExtras_Set` puts CONTEXT_EXTRAS on context options; NaiveReuse (and its
 * keyframes) is applied by the windowed sampler; ContextRef (its modes, tunes and keyframes) is accepted so that
 * workflows load, and the sampler refuses it with a clear error when it would act (ADE needs Advanced-ControlNet's
 * reference attention for it, which piagraph does not have).
 */
import { defineNode } from '@piagraph/graph-core';
import type { MultivalValue } from '../../motion/settings.js';
import { PipelineError } from '../../pipeline/errors.js';
import type {
  ContextExtrasValue,
  ContextOptionsValue,
  ContextRefKeyframe,
  ContextRefKeyframesValue,
  ContextRefModeValue,
  ContextRefTuneValue,
  NaiveReuseKeyframe,
  NaiveReuseKeyframesValue,
} from '../../samplers/context/index.js';
import { torchLinspace } from '../../samplers/torch-linspace.js';
import type { PackContext } from '../pack-context.js';

declare module '@piagraph/graph-core' {
  interface SocketValueMap {
    CONTEXT_EXTRAS: ContextExtrasValue;
    CONTEXTREF_MODE: ContextRefModeValue;
    CONTEXTREF_TUNE: ContextRefTuneValue;
    CONTEXTREF_KEYFRAME: ContextRefKeyframesValue;
    NAIVEREUSE_KEYFRAME: NaiveReuseKeyframesValue;
  }
}

const CATEGORY = 'Animate Diff 🎭🅐🅓/context opts/context extras';
const CONTEXTREF_CATEGORY = `${CATEGORY}/contextref`;
const NAIVEREUSE_CATEGORY = `${CATEGORY}/naivereuse`;
/** ADE's `BIGMAX`. */
const BIGMAX = 2 ** 53 - 1;
/** ADE's `InterpolationMethod._LIST`. */
export const INTERPOLATION_METHODS = ['linear', 'ease_in', 'ease_out', 'ease_in_out'] as const;
type Interpolation = (typeof INTERPOLATION_METHODS)[number];

const percent = (d: number) => ({ type: 'FLOAT', default: d, min: 0.0, max: 1.0, step: 0.001 }) as const;
const unit = (d: number) => ({ type: 'FLOAT', default: d, min: 0.0, max: 1.0, step: 0.01 }) as const;
const guaranteeSteps = { type: 'INT', default: 1, min: 0, max: BIGMAX } as const;
const inheritMissing = { type: 'BOOLEAN', default: true } as const;
const printKeyframes = { type: 'BOOLEAN', default: false } as const;
const interpolation = { type: 'COMBO', options: INTERPOLATION_METHODS } as const;
const intervals = { type: 'INT', default: 50, min: 2, max: 100, step: 1 } as const;
const multsFloat = { type: 'FLOAT', default: -1, min: -1, step: 0.001, forceInput: true } as const;

/** A multival's number; the extras take no masks (per-pixel weights) in piagraph. */
function scalarMultival(m: MultivalValue | undefined, input: string): number | undefined {
  if (!m) return undefined;
  if (m.mask) throw new PipelineError('unsupported', `${input}: piagraph's context extras take a plain number, not a masked multival`, {}, input);
  return m.value;
}

/**
 * ADE's `InterpolationMethod.get_weights`: `length` values from `from` to `to` (float32 `torch.linspace`, eased
 * through the same 0…1 ramp).
 */
export function interpolatedValues(from: number, to: number, length: number, method: Interpolation): number[] {
  if (method === 'linear') return Array.from(torchLinspace(from, to, length));
  const diff = to - from;
  const ease = { ease_in: (t: number) => t * t, ease_out: (t: number) => 1 - (1 - t) * (1 - t), ease_in_out: (t: number) => (1 - Math.cos(t * Math.PI)) / 2 }[method];
  return Array.from(torchLinspace(0, 1, length), (t) => diff * ease(t) + from);
}

/** A FLOAT input that may carry a list (ADE's `mults_float` takes either). */
function floatList(value: unknown, input: string): number[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new PipelineError('bad-option', `${input} must be a number or a list of numbers`, {}, input);
  }
  return list as number[];
}

/** Keyframes at percents spread from `start` to `end`, only the first guaranteeing a step (ADE's interpolation/list nodes). */
function spreadKeyframes<K>(mults: readonly number[], start: number, end: number, make: (mult: number, startPercent: number, guaranteeSteps: number) => K): K[] {
  const percents = torchLinspace(start, end, mults.length);
  return mults.map((mult, i) => make(mult, percents[i]!, i === 0 ? 1 : 0));
}

/** `ADE_ContextExtras_Set`. */
export function setContextExtrasNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_Set',
    displayName: 'Set Context Extras 🎭🅐🅓',
    category: CATEGORY,
    description: 'Gives the context options (the whole chain) these extras; without context_extras the options pass unchanged.',
    inputs: { required: { context_opts: { type: 'CONTEXT_OPTIONS' } }, optional: { context_extras: { type: 'CONTEXT_EXTRAS' } } },
    outputs: [{ type: 'CONTEXT_OPTIONS', name: 'CONTEXT_OPTS' }],
    run: ({ context_opts, context_extras }) => {
      const value: ContextOptionsValue = context_extras ? { ...context_opts, extras: context_extras } : context_opts;
      return { outputs: [value], sizeBytes: 256 };
    },
  });
}

// ---------------------------------------------------------------------------------------------------- NaiveReuse

/** `ADE_ContextExtras_NaiveReuse`. */
export function naiveReuseNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_NaiveReuse',
    displayName: 'Context Extras◆NaiveReuse 🎭🅐🅓',
    category: CATEGORY,
    description:
      "Between start_percent and end_percent, mixes the first context window's prediction (tiled over the video) into every frame with weight weighted_mean, for consistency across windows.",
    inputs: {
      required: {},
      optional: {
        prev_extras: { type: 'CONTEXT_EXTRAS' },
        strength_multival: { type: 'MULTIVAL' },
        naivereuse_kf: { type: 'NAIVEREUSE_KEYFRAME' },
        start_percent: percent(0.0),
        end_percent: percent(0.15),
        weighted_mean: { type: 'FLOAT', default: 0.95, min: 0.0, max: 1.0, step: 0.001 },
      },
    },
    outputs: [{ type: 'CONTEXT_EXTRAS' }],
    run: (i) => {
      const multival = scalarMultival(i.strength_multival, 'strength_multival');
      const value: ContextExtrasValue = {
        kind: 'context-extras',
        ...(i.prev_extras?.contextRef ? { contextRef: i.prev_extras.contextRef } : {}),
        naiveReuse: {
          startPercent: i.start_percent ?? 0,
          endPercent: i.end_percent ?? 0.15,
          weightedMean: i.weighted_mean ?? 0.95,
          ...(multival !== undefined ? { multival } : {}),
          ...(i.naivereuse_kf ? { keyframes: i.naivereuse_kf } : {}),
        },
      };
      return { outputs: [value], sizeBytes: 256 };
    },
  });
}

function naiveReuseKeyframes(prev: NaiveReuseKeyframesValue | undefined, added: readonly NaiveReuseKeyframe[]): { outputs: [NaiveReuseKeyframesValue]; sizeBytes: number } {
  return { outputs: [{ kind: 'naivereuse-keyframes', keyframes: [...(prev?.keyframes ?? []), ...added] }], sizeBytes: 64 * (added.length + 1) };
}

/** `ADE_ContextExtras_NaiveReuse_Keyframe`. */
export function naiveReuseKeyframeNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_NaiveReuse_Keyframe',
    displayName: 'NaiveReuse Keyframe 🎭🅐🅓',
    category: NAIVEREUSE_CATEGORY,
    description: "From start_percent on, scales NaiveReuse's weighted_mean by mult (× mult_multival).",
    inputs: {
      required: {},
      optional: {
        prev_kf: { type: 'NAIVEREUSE_KEYFRAME' },
        mult_multival: { type: 'MULTIVAL' },
        mult: { type: 'FLOAT', default: 1.0, min: 0.0, max: 1.0, step: 0.001 },
        start_percent: percent(0.0),
        guarantee_steps: guaranteeSteps,
        inherit_missing: inheritMissing,
      },
    },
    outputs: [{ type: 'NAIVEREUSE_KEYFRAME', name: 'NAIVEREUSE_KF' }],
    run: (i) => {
      const multMultival = scalarMultival(i.mult_multival, 'mult_multival');
      return naiveReuseKeyframes(i.prev_kf, [
        {
          mult: i.mult ?? 1,
          ...(multMultival !== undefined ? { multMultival } : {}),
          startPercent: i.start_percent ?? 0,
          guaranteeSteps: i.guarantee_steps ?? 1,
          inheritMissing: i.inherit_missing ?? true,
        },
      ]);
    },
  });
}

/** `ADE_ContextExtras_NaiveReuse_KeyframeInterpolation`. */
export function naiveReuseKeyframeInterpolationNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_NaiveReuse_KeyframeInterpolation',
    displayName: 'NaiveReuse Keyframes Interp. 🎭🅐🅓',
    category: NAIVEREUSE_CATEGORY,
    description: 'intervals keyframes from start_percent to end_percent with mults eased from mult_start to mult_end.',
    inputs: {
      required: {
        start_percent: percent(0.0),
        end_percent: percent(1.0),
        mult_start: { type: 'FLOAT', default: 1.0, min: 0.0, max: 1.0, step: 0.001 },
        mult_end: { type: 'FLOAT', default: 1.0, min: 0.0, max: 1.0, step: 0.001 },
        interpolation,
        intervals,
        inherit_missing: inheritMissing,
        print_keyframes: printKeyframes,
      },
      optional: { prev_kf: { type: 'NAIVEREUSE_KEYFRAME' }, mult_multival: { type: 'MULTIVAL' } },
    },
    outputs: [{ type: 'NAIVEREUSE_KEYFRAME', name: 'NAIVEREUSE_KF' }],
    run: (i) => {
      const multMultival = scalarMultival(i.mult_multival, 'mult_multival');
      const mults = interpolatedValues(i.mult_start, i.mult_end, i.intervals, i.interpolation);
      const added = spreadKeyframes(mults, i.start_percent, i.end_percent, (mult, startPercent, guarantee) => ({
        mult,
        ...(multMultival !== undefined ? { multMultival } : {}),
        startPercent,
        guaranteeSteps: guarantee,
        inheritMissing: i.inherit_missing,
      }));
      return naiveReuseKeyframes(i.prev_kf, added);
    },
  });
}

/** `ADE_ContextExtras_NaiveReuse_KeyframeFromList`. */
export function naiveReuseKeyframeFromListNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_NaiveReuse_KeyframeFromList',
    displayName: 'NaiveReuse Keyframes From List 🎭🅐🅓',
    category: NAIVEREUSE_CATEGORY,
    description: 'One keyframe per mult in mults_float, spread evenly from start_percent to end_percent.',
    inputs: {
      required: { mults_float: multsFloat, start_percent: percent(0.0), end_percent: percent(1.0), inherit_missing: inheritMissing, print_keyframes: printKeyframes },
      optional: { prev_kf: { type: 'NAIVEREUSE_KEYFRAME' }, mult_multival: { type: 'MULTIVAL' } },
    },
    outputs: [{ type: 'NAIVEREUSE_KEYFRAME', name: 'NAIVEREUSE_KF' }],
    run: (i) => {
      const multMultival = scalarMultival(i.mult_multival, 'mult_multival');
      const added = spreadKeyframes(floatList(i.mults_float, 'mults_float'), i.start_percent, i.end_percent, (mult, startPercent, guarantee) => ({
        mult,
        ...(multMultival !== undefined ? { multMultival } : {}),
        startPercent,
        guaranteeSteps: guarantee,
        inheritMissing: i.inherit_missing,
      }));
      return naiveReuseKeyframes(i.prev_kf, added);
    },
  });
}

// ---------------------------------------------------------------------------------------------------- ContextRef

/** ContextRef's tune when none is given (ADE: attention on, AdaIN off). */
const DEFAULT_TUNE: ContextRefTuneValue = {
  kind: 'contextref-tune',
  attnStyleFidelity: 1,
  attnRefWeight: 1,
  attnStrength: 1,
  adainStyleFidelity: 0,
  adainRefWeight: 0,
  adainStrength: 0,
};

/** `ADE_ContextExtras_ContextRef`. */
export function contextRefNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef',
    displayName: 'Context Extras◆ContextRef 🎭🅐🅓',
    category: CATEGORY,
    description:
      "Shares reference windows' attention with the other windows. ADE does it through Advanced-ControlNet's reference attention, which piagraph does not have: sampling stops with an error at the first step in its range.",
    inputs: {
      required: {},
      optional: {
        prev_extras: { type: 'CONTEXT_EXTRAS' },
        strength_multival: { type: 'MULTIVAL' },
        contextref_mode: { type: 'CONTEXTREF_MODE' },
        contextref_tune: { type: 'CONTEXTREF_TUNE' },
        contextref_kf: { type: 'CONTEXTREF_KEYFRAME' },
        start_percent: percent(0.0),
        end_percent: percent(0.25),
      },
    },
    outputs: [{ type: 'CONTEXT_EXTRAS' }],
    run: (i) => {
      const multival = scalarMultival(i.strength_multival, 'strength_multival');
      const value: ContextExtrasValue = {
        kind: 'context-extras',
        ...(i.prev_extras?.naiveReuse ? { naiveReuse: i.prev_extras.naiveReuse } : {}),
        contextRef: {
          startPercent: i.start_percent ?? 0,
          endPercent: i.end_percent ?? 0.25,
          ...(multival !== undefined ? { multival } : {}),
          mode: i.contextref_mode ?? { kind: 'contextref-mode', mode: 'first' },
          tune: i.contextref_tune ?? DEFAULT_TUNE,
          ...(i.contextref_kf ? { keyframes: i.contextref_kf } : {}),
        },
      };
      return { outputs: [value], sizeBytes: 256 };
    },
  });
}

const MODE_OUTPUT = [{ type: 'CONTEXTREF_MODE' }] as const;

/** `ADE_ContextExtras_ContextRef_ModeFirst`. */
export function contextRefModeFirstNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef_ModeFirst',
    displayName: 'ContextRef Mode◆First 🎭🅐🅓',
    category: CONTEXTREF_CATEGORY,
    description: 'The first window writes the reference; the others read it.',
    inputs: { required: {} },
    outputs: MODE_OUTPUT,
    run: () => ({ outputs: [{ kind: 'contextref-mode', mode: 'first' } as ContextRefModeValue], sizeBytes: 32 }),
  });
}

/** `ADE_ContextExtras_ContextRef_ModeSliding`. */
export function contextRefModeSlidingNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef_ModeSliding',
    displayName: 'ContextRef Mode◆Sliding 🎭🅐🅓',
    category: CONTEXTREF_CATEGORY,
    description: 'Every (sliding_width − 1)-th window also rewrites the reference.',
    inputs: { required: {}, optional: { sliding_width: { type: 'INT', default: 2, min: 2, max: BIGMAX, step: 1 } } },
    outputs: MODE_OUTPUT,
    run: (i) => ({ outputs: [{ kind: 'contextref-mode', mode: 'sliding', slidingWidth: i.sliding_width ?? 2 } as ContextRefModeValue], sizeBytes: 32 }),
  });
}

/** ADE's `convert_str_to_indexes` without ranges or negatives: comma-separated frame numbers. */
export function parseSwitchIndexes(text: string): number[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const t = part.trim();
    if (!/^\d+$/.test(t)) {
      throw new PipelineError('bad-option', `switch_on_idxs: "${t}" is not a frame number (comma-separated whole numbers, no ranges)`, {}, 'switch_on_idxs');
    }
    return Number(t);
  });
}

/** `ADE_ContextExtras_ContextRef_ModeIndexes`. */
export function contextRefModeIndexesNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef_ModeIndexes',
    displayName: 'ContextRef Mode◆Indexes 🎭🅐🅓',
    category: CONTEXTREF_CATEGORY,
    description: 'Windows holding one of these frames rewrite the reference.',
    inputs: {
      required: {},
      optional: { switch_on_idxs: { type: 'STRING', default: '' }, always_include_0: { type: 'BOOLEAN', default: true } },
    },
    outputs: MODE_OUTPUT,
    run: (i) => {
      const indexes = new Set(parseSwitchIndexes(i.switch_on_idxs ?? ''));
      if (i.always_include_0 ?? true) indexes.add(0);
      return { outputs: [{ kind: 'contextref-mode', mode: 'indexes', indexes: [...indexes].sort((a, b) => a - b) } as ContextRefModeValue], sizeBytes: 64 };
    },
  });
}

const TUNE_OUTPUT = [{ type: 'CONTEXTREF_TUNE' }] as const;

/** `ADE_ContextExtras_ContextRef_TuneAttn`. */
export function contextRefTuneAttnNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef_TuneAttn',
    displayName: 'ContextRef Tune◆Attn 🎭🅐🅓',
    category: CONTEXTREF_CATEGORY,
    description: "The reference attention's style fidelity, weight and strength (AdaIN off).",
    inputs: { required: {}, optional: { attn_style_fidelity: unit(1.0), attn_ref_weight: unit(1.0), attn_strength: unit(1.0) } },
    outputs: TUNE_OUTPUT,
    run: (i) => ({
      outputs: [{ ...DEFAULT_TUNE, attnStyleFidelity: i.attn_style_fidelity ?? 1, attnRefWeight: i.attn_ref_weight ?? 1, attnStrength: i.attn_strength ?? 1 }],
      sizeBytes: 64,
    }),
  });
}

/** `ADE_ContextExtras_ContextRef_TuneAttnAdain`. */
export function contextRefTuneAttnAdainNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef_TuneAttnAdain',
    displayName: 'ContextRef Tune◆Attn+Adain 🎭🅐🅓',
    category: CONTEXTREF_CATEGORY,
    description: "The reference attention's and AdaIN's style fidelity, weight and strength.",
    inputs: {
      required: {},
      optional: {
        attn_style_fidelity: unit(1.0),
        attn_ref_weight: unit(1.0),
        attn_strength: unit(1.0),
        adain_style_fidelity: unit(1.0),
        adain_ref_weight: unit(1.0),
        adain_strength: unit(1.0),
      },
    },
    outputs: TUNE_OUTPUT,
    run: (i) => ({
      outputs: [
        {
          kind: 'contextref-tune',
          attnStyleFidelity: i.attn_style_fidelity ?? 1,
          attnRefWeight: i.attn_ref_weight ?? 1,
          attnStrength: i.attn_strength ?? 1,
          adainStyleFidelity: i.adain_style_fidelity ?? 1,
          adainRefWeight: i.adain_ref_weight ?? 1,
          adainStrength: i.adain_strength ?? 1,
        } as ContextRefTuneValue,
      ],
      sizeBytes: 64,
    }),
  });
}

const KF_OUTPUT = [{ type: 'CONTEXTREF_KEYFRAME', name: 'CONTEXTREF_KF' }] as const;
const refReplacements = { mode_replace: { type: 'CONTEXTREF_MODE' }, tune_replace: { type: 'CONTEXTREF_TUNE' } } as const;

function contextRefKeyframes(prev: ContextRefKeyframesValue | undefined, added: readonly ContextRefKeyframe[]): { outputs: [ContextRefKeyframesValue]; sizeBytes: number } {
  return { outputs: [{ kind: 'contextref-keyframes', keyframes: [...(prev?.keyframes ?? []), ...added] }], sizeBytes: 64 * (added.length + 1) };
}

/** The keyframe fields every ContextRef keyframe node shares. */
function refKeyframe(
  mult: number,
  startPercent: number,
  guarantee: number,
  i: { mult_multival?: MultivalValue; mode_replace?: ContextRefModeValue; tune_replace?: ContextRefTuneValue; inherit_missing?: boolean },
): ContextRefKeyframe {
  const multMultival = scalarMultival(i.mult_multival, 'mult_multival');
  return {
    mult,
    ...(multMultival !== undefined ? { multMultival } : {}),
    ...(i.mode_replace ? { modeReplace: i.mode_replace } : {}),
    ...(i.tune_replace ? { tuneReplace: i.tune_replace } : {}),
    startPercent,
    guaranteeSteps: guarantee,
    inheritMissing: i.inherit_missing ?? true,
  };
}

/** `ADE_ContextExtras_ContextRef_Keyframe`. */
export function contextRefKeyframeNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef_Keyframe',
    displayName: 'ContextRef Keyframe 🎭🅐🅓',
    category: CONTEXTREF_CATEGORY,
    description: "From start_percent on, ContextRef's strength × mult, optionally with another mode or tune.",
    inputs: {
      required: {},
      optional: {
        prev_kf: { type: 'CONTEXTREF_KEYFRAME' },
        mult_multival: { type: 'MULTIVAL' },
        ...refReplacements,
        mult: { type: 'FLOAT', default: 1.0, min: 0.0, max: 1.0, step: 0.001 },
        start_percent: percent(0.0),
        guarantee_steps: guaranteeSteps,
        inherit_missing: inheritMissing,
      },
    },
    outputs: KF_OUTPUT,
    run: (i) => contextRefKeyframes(i.prev_kf, [refKeyframe(i.mult ?? 1, i.start_percent ?? 0, i.guarantee_steps ?? 1, i)]),
  });
}

/** `ADE_ContextExtras_ContextRef_KeyframeInterpolation`. */
export function contextRefKeyframeInterpolationNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef_KeyframeInterpolation',
    displayName: 'ContextRef Keyframes Interp. 🎭🅐🅓',
    category: CONTEXTREF_CATEGORY,
    description: 'intervals ContextRef keyframes from start_percent to end_percent with mults eased from mult_start to mult_end.',
    inputs: {
      required: {
        start_percent: percent(0.0),
        end_percent: percent(1.0),
        mult_start: { type: 'FLOAT', default: 1.0, min: 0.0, max: 1.0, step: 0.001 },
        mult_end: { type: 'FLOAT', default: 1.0, min: 0.0, max: 1.0, step: 0.001 },
        interpolation,
        intervals,
        inherit_missing: inheritMissing,
        print_keyframes: printKeyframes,
      },
      optional: { prev_kf: { type: 'CONTEXTREF_KEYFRAME' }, mult_multival: { type: 'MULTIVAL' }, ...refReplacements },
    },
    outputs: KF_OUTPUT,
    run: (i) => {
      const mults = interpolatedValues(i.mult_start, i.mult_end, i.intervals, i.interpolation);
      return contextRefKeyframes(i.prev_kf, spreadKeyframes(mults, i.start_percent, i.end_percent, (mult, start, guarantee) => refKeyframe(mult, start, guarantee, i)));
    },
  });
}

/** `ADE_ContextExtras_ContextRef_KeyframeFromList`. */
export function contextRefKeyframeFromListNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ContextExtras_ContextRef_KeyframeFromList',
    displayName: 'ContextRef Keyframes From List 🎭🅐🅓',
    category: CONTEXTREF_CATEGORY,
    description: 'One ContextRef keyframe per mult in mults_float, spread evenly from start_percent to end_percent.',
    inputs: {
      required: { mults_float: multsFloat, start_percent: percent(0.0), end_percent: percent(1.0), inherit_missing: inheritMissing, print_keyframes: printKeyframes },
      optional: { prev_kf: { type: 'CONTEXTREF_KEYFRAME' }, mult_multival: { type: 'MULTIVAL' }, ...refReplacements },
    },
    outputs: KF_OUTPUT,
    run: (i) =>
      contextRefKeyframes(
        i.prev_kf,
        spreadKeyframes(floatList(i.mults_float, 'mults_float'), i.start_percent, i.end_percent, (mult, start, guarantee) => refKeyframe(mult, start, guarantee, i)),
      ),
  });
}

/** The context extras nodes bound to a pack. */
export function contextExtrasNodes(pack: PackContext) {
  return [
    setContextExtrasNode(pack),
    contextRefNode(pack),
    contextRefModeFirstNode(pack),
    contextRefModeSlidingNode(pack),
    contextRefModeIndexesNode(pack),
    contextRefTuneAttnNode(pack),
    contextRefTuneAttnAdainNode(pack),
    contextRefKeyframeNode(pack),
    contextRefKeyframeInterpolationNode(pack),
    contextRefKeyframeFromListNode(pack),
    naiveReuseNode(pack),
    naiveReuseKeyframeNode(pack),
    naiveReuseKeyframeInterpolationNode(pack),
    naiveReuseKeyframeFromListNode(pack),
  ];
}
