/**
 * AnimateDiff-Evolved's context option nodes (class names, inputs, widget order and defaults as ADE declares them):
 * each makes one set of CONTEXT_OPTIONS, chained after `prev_context` when given. Samplers read them from their
 * `context_options` input or from the MODEL (ADE's Use Evolved Sampling). `view_opts` (View Options nodes,
 * `view-options.ts`) split each context window into views; ADE does that inside the motion modules, piagraph runs
 * each view as its own U-Net call (see `samplers/context/plan.ts`).
 */
import { defineNode } from '@piagraph/graph-core';
import {
  FUSE_METHODS,
  FUSE_METHODS_STATIC,
  type ContextOptionsValue,
  type ContextSchedule,
  type FuseMethod,
  type ViewOptionsValue,
} from '../../samplers/context/index.js';
import type { PackContext } from '../pack-context.js';
import { LENGTH_MAX, OVERLAP_MAX, STRIDE_MAX, overlapValidator } from './context-limits.js';

/** ADE's `BIGMAX` (2^53 − 1, utils_model.py). */
const BIGMAX = 2 ** 53 - 1;

const CATEGORY = 'Animate Diff 🎭🅐🅓/context opts';
const OUTPUT = [{ type: 'CONTEXT_OPTIONS', name: 'CONTEXT_OPTS' }] as const;

const length = { type: 'INT', default: 16, min: 1, max: LENGTH_MAX, tooltip: 'Frames per window (the motion modules were trained on 16).' } as const;
const stride = { type: 'INT', default: 1, min: 1, max: STRIDE_MAX, tooltip: 'Also windows over every 2nd, 4th… frame, up to 2^(stride−1).' } as const;
const overlap = { type: 'INT', default: 4, min: 0, max: OVERLAP_MAX, tooltip: 'Frames shared by neighbouring windows.' } as const;

const commonOptional = {
  fuse_method: { type: 'COMBO', options: FUSE_METHODS, tooltip: 'How overlapping windows are weighted per frame.' },
  use_on_equal_length: { type: 'BOOLEAN', default: false, tooltip: 'Use windows even when the frames fit in one.' },
  start_percent: { type: 'FLOAT', default: 0.0, min: 0.0, max: 1.0, step: 0.001, tooltip: 'From which fraction of the sampling these options apply.' },
  guarantee_steps: { type: 'INT', default: 1, min: 0, max: BIGMAX, tooltip: 'Steps these options apply at least, once started.' },
  prev_context: { type: 'CONTEXT_OPTIONS', tooltip: 'Options these follow (applied before start_percent is reached).' },
  view_opts: { type: 'VIEW_OPTS', tooltip: 'Views inside each context window (each view is one U-Net call here).' },
} as const;

/** Standard Static offers `relative` too (ADE's `LIST_STATIC`). */
const staticOptional = { ...commonOptional, fuse_method: { ...commonOptional.fuse_method, options: FUSE_METHODS_STATIC } } as const;

interface CommonInputs {
  fuse_method?: FuseMethod;
  use_on_equal_length?: boolean;
  start_percent?: number;
  guarantee_steps?: number;
  prev_context?: ContextOptionsValue;
  view_opts?: ViewOptionsValue;
}

function contextOptions(
  schedule: ContextSchedule,
  fields: { contextLength: number; contextStride?: number; contextOverlap?: number; closedLoop?: boolean },
  common: CommonInputs,
  defaultFuse: FuseMethod,
): { outputs: [ContextOptionsValue]; sizeBytes: number } {
  const value: ContextOptionsValue = {
    kind: 'context-options',
    schedule,
    contextLength: fields.contextLength,
    contextStride: fields.contextStride ?? 1,
    contextOverlap: fields.contextOverlap ?? 0,
    closedLoop: fields.closedLoop ?? false,
    fuseMethod: common.fuse_method ?? defaultFuse,
    useOnEqualLength: common.use_on_equal_length ?? false,
    startPercent: common.start_percent ?? 0,
    guaranteeSteps: common.guarantee_steps ?? 1,
    ...(common.view_opts ? { viewOptions: common.view_opts } : {}),
    ...(common.prev_context ? { prev: common.prev_context } : {}),
  };
  return { outputs: [value], sizeBytes: 256 };
}

const validateOverlap = overlapValidator('context');

/** `ADE_StandardUniformContextOptions`. */
export function standardUniformContextOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_StandardUniformContextOptions',
    displayName: 'Context Options◆Standard Uniform 🎭🅐🅓',
    category: CATEGORY,
    description: 'Windows of context_length frames stepping by length − overlap, the last one ending at the last frame; never wraps around.',
    inputs: { required: { context_length: length, context_stride: stride, context_overlap: overlap }, optional: commonOptional },
    outputs: OUTPUT,
    validate: validateOverlap,
    run: (i) => contextOptions('standard_uniform', { contextLength: i.context_length, contextStride: i.context_stride, contextOverlap: i.context_overlap }, i, 'pyramid'),
  });
}

/** `ADE_StandardStaticContextOptions`. */
export function standardStaticContextOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_StandardStaticContextOptions',
    displayName: 'Context Options◆Standard Static 🎭🅐🅓',
    category: CATEGORY,
    description: 'The same contiguous windows at every step (no strides), the last one ending at the last frame.',
    inputs: { required: { context_length: length, context_overlap: overlap }, optional: staticOptional },
    outputs: OUTPUT,
    validate: validateOverlap,
    run: (i) => contextOptions('standard_static', { contextLength: i.context_length, contextOverlap: i.context_overlap }, i, 'pyramid'),
  });
}

/** Looped options from the looped nodes' inputs. */
function loopedOptions(i: CommonInputs & { context_length: number; context_stride: number; context_overlap: number; closed_loop: boolean }) {
  return contextOptions(
    'looped_uniform',
    { contextLength: i.context_length, contextStride: i.context_stride, contextOverlap: i.context_overlap, closedLoop: i.closed_loop },
    i,
    'flat',
  );
}

/** `ADE_LoopedUniformContextOptions`. */
export function loopedUniformContextOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_LoopedUniformContextOptions',
    displayName: 'Context Options◆Looped Uniform 🎭🅐🅓',
    category: CATEGORY,
    description: "AnimateDiff's original schedule: windows wrap from the last frame to the first and shift every step; closed_loop makes a seamless loop.",
    inputs: {
      required: { context_length: length, context_stride: stride, context_overlap: overlap, closed_loop: { type: 'BOOLEAN', default: false } },
      optional: commonOptional,
    },
    outputs: OUTPUT,
    validate: validateOverlap,
    run: loopedOptions,
  });
}

/** `ADE_AnimateDiffUniformContextOptions`: the legacy looped node older workflows name (with its `context_schedule` widget). */
export function legacyUniformContextOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_AnimateDiffUniformContextOptions',
    displayName: 'Uniform Context Options 🎭🅐🅓',
    category: CATEGORY,
    description: 'Legacy form of Context Options◆Looped Uniform, kept so that older workflows load.',
    inputs: {
      required: {
        context_length: length,
        context_stride: stride,
        context_overlap: overlap,
        context_schedule: { type: 'COMBO', options: ['uniform'] },
        closed_loop: { type: 'BOOLEAN', default: false },
      },
      optional: { ...commonOptional, fuse_method: { ...commonOptional.fuse_method, default: 'flat' } },
    },
    outputs: OUTPUT,
    validate: validateOverlap,
    run: loopedOptions,
  });
}

/** `ADE_ViewsOnlyContextOptions`: one context window over the whole video; the views do all the windowing. */
export function viewsOnlyContextOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ViewsOnlyContextOptions',
    displayName: 'Context Options◆Views Only [VRAM⇈] 🎭🅐🅓',
    category: CATEGORY,
    description:
      'No context windows, only the views of view_opts_req. ADE runs the views inside the motion modules while the rest of the U-Net sees every frame; piagraph runs each view as a U-Net call and fuses the views with their fuse method.',
    inputs: {
      required: { view_opts_req: { type: 'VIEW_OPTS', tooltip: 'The views (View Options nodes).' } },
      optional: { start_percent: commonOptional.start_percent, guarantee_steps: commonOptional.guarantee_steps, prev_context: commonOptional.prev_context },
    },
    outputs: OUTPUT,
    run: (i) => {
      // ADE's view_as_context: context_length becomes the frame count at sampling; 0 stands for it here.
      const value: ContextOptionsValue = {
        kind: 'context-options',
        schedule: 'view_as_context',
        contextLength: 0,
        contextStride: 1,
        contextOverlap: 0,
        closedLoop: false,
        fuseMethod: 'flat',
        useOnEqualLength: true,
        startPercent: i.start_percent ?? 0,
        guaranteeSteps: i.guarantee_steps ?? 1,
        viewOptions: i.view_opts_req,
        ...(i.prev_context ? { prev: i.prev_context } : {}),
      };
      return { outputs: [value], sizeBytes: 256 };
    },
  });
}

/** `ADE_BatchedContextOptions`. */
export function batchedContextOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_BatchedContextOptions',
    displayName: 'Context Options◆Batched [Non-AD] 🎭🅐🅓',
    category: CATEGORY,
    description: 'Consecutive windows without overlap: each batch of frames is sampled on its own (for models without motion modules).',
    inputs: {
      required: { context_length: length },
      optional: { start_percent: commonOptional.start_percent, guarantee_steps: commonOptional.guarantee_steps, prev_context: commonOptional.prev_context },
    },
    outputs: OUTPUT,
    run: (i) => contextOptions('batched', { contextLength: i.context_length }, i, 'flat'),
  });
}

/** The context option nodes bound to a pack. */
export function contextOptionNodes(pack: PackContext) {
  return [
    standardUniformContextOptionsNode(pack),
    standardStaticContextOptionsNode(pack),
    loopedUniformContextOptionsNode(pack),
    legacyUniformContextOptionsNode(pack),
    viewsOnlyContextOptionsNode(pack),
    batchedContextOptionsNode(pack),
  ];
}
