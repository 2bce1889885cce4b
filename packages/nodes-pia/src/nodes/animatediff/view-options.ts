/**
 * AnimateDiff-Evolved's View Options nodes (class names, inputs, widget order and defaults as ADE declares them):
 * VIEW_OPTS for a context option node's `view_opts` (or Views Only's `view_opts_req`), laying out views inside each
 * context window the way the context options lay out windows. ADE runs views inside the motion modules only;
 * piagraph runs each view as a U-Net call of its own (see `samplers/context/plan.ts`).
 */
import { defineNode } from '@piagraph/graph-core';
import { FUSE_METHODS, type ContextSchedule, type FuseMethod, type ViewOptionsValue } from '../../samplers/context/index.js';
import type { PackContext } from '../pack-context.js';
import { LENGTH_MAX, OVERLAP_MAX, STRIDE_MAX, overlapValidator } from './context-limits.js';

declare module '@piagraph/graph-core' {
  interface SocketValueMap {
    VIEW_OPTS: ViewOptionsValue;
  }
}

const CATEGORY = 'Animate Diff 🎭🅐🅓/context opts/view opts';
const OUTPUT = [{ type: 'VIEW_OPTS' }] as const;

const viewLength = { type: 'INT', default: 16, min: 1, max: LENGTH_MAX, tooltip: 'Frames per view.' } as const;
const viewStride = { type: 'INT', default: 1, min: 1, max: STRIDE_MAX, tooltip: 'Also views over every 2nd, 4th… frame, up to 2^(stride−1).' } as const;
const viewOverlap = { type: 'INT', default: 4, min: 0, max: OVERLAP_MAX, tooltip: 'Frames shared by neighbouring views.' } as const;
const fuseMethod = { type: 'COMBO', options: FUSE_METHODS, tooltip: 'How overlapping views are weighted per frame.' } as const;

function viewOptions(
  schedule: ContextSchedule,
  fields: { length: number; stride?: number; overlap: number; closedLoop?: boolean; useOnEqualLength?: boolean },
  fuse: FuseMethod,
): { outputs: [ViewOptionsValue]; sizeBytes: number } {
  const value: ViewOptionsValue = {
    kind: 'view-options',
    schedule,
    contextLength: fields.length,
    contextStride: fields.stride ?? 1,
    contextOverlap: fields.overlap,
    closedLoop: fields.closedLoop ?? false,
    fuseMethod: fuse,
    useOnEqualLength: fields.useOnEqualLength ?? false,
  };
  return { outputs: [value], sizeBytes: 128 };
}

const validate = overlapValidator('view');

/** `ADE_StandardStaticViewOptions` (ADE's default fuse when none is given: flat). */
export function standardStaticViewOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_StandardStaticViewOptions',
    displayName: 'View Options◆Standard Static 🎭🅐🅓',
    category: CATEGORY,
    description: 'The same contiguous views every step, the last one shifted back to end at the context window\'s last frame.',
    inputs: { required: { view_length: viewLength, view_overlap: viewOverlap }, optional: { fuse_method: fuseMethod } },
    outputs: OUTPUT,
    validate,
    run: (i) => viewOptions('standard_static', { length: i.view_length, overlap: i.view_overlap }, i.fuse_method ?? 'flat'),
  });
}

/** `ADE_StandardUniformViewOptions` (default fuse: pyramid). */
export function standardUniformViewOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_StandardUniformViewOptions',
    displayName: 'View Options◆Standard Uniform 🎭🅐🅓',
    category: CATEGORY,
    description: 'Views that move each step but never wrap past the context window\'s end.',
    inputs: { required: { view_length: viewLength, view_stride: viewStride, view_overlap: viewOverlap }, optional: { fuse_method: fuseMethod } },
    outputs: OUTPUT,
    validate,
    run: (i) => viewOptions('standard_uniform', { length: i.view_length, stride: i.view_stride, overlap: i.view_overlap }, i.fuse_method ?? 'pyramid'),
  });
}

/** `ADE_LoopedUniformViewOptions` (default fuse: pyramid). */
export function loopedUniformViewOptionsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_LoopedUniformViewOptions',
    displayName: 'View Options◆Looped Uniform 🎭🅐🅓',
    category: CATEGORY,
    description: 'Views that wrap from the context window\'s last frame to its first and shift every step.',
    inputs: {
      required: { view_length: viewLength, view_stride: viewStride, view_overlap: viewOverlap, closed_loop: { type: 'BOOLEAN', default: false } },
      optional: { fuse_method: fuseMethod, use_on_equal_length: { type: 'BOOLEAN', default: false, tooltip: 'Use views even when the window fits in one.' } },
    },
    outputs: OUTPUT,
    validate,
    run: (i) =>
      viewOptions(
        'looped_uniform',
        { length: i.view_length, stride: i.view_stride, overlap: i.view_overlap, closedLoop: i.closed_loop, useOnEqualLength: i.use_on_equal_length ?? false },
        i.fuse_method ?? 'pyramid',
      ),
  });
}

/** The view option nodes bound to a pack. */
export function viewOptionNodes(pack: PackContext) {
  return [standardStaticViewOptionsNode(pack), standardUniformViewOptionsNode(pack), loopedUniformViewOptionsNode(pack)];
}
