/**
 * `object_info` of ADE's context option, view option and context extras nodes against their declarations in
 * AnimateDiff-Evolved (`nodes_context.py`, `nodes_context_extras.py`, `context.py`'s `ContextFuseMethod`,
 * `utils_model.py`'s `InterpolationMethod`), written out by hand here: input names in order (the widget order UI
 * workflows rely on), types, combo choices, defaults and limits, outputs and their names. UI-only inputs (ADE's hidden
 * `autosize`, the legacy node's `ADEWARN` banner) are not part of the API and are left out.
 */
import { describe, expect, it } from 'vitest';
import { NodeRegistry } from '@piagraph/graph-core';
import { createPiaPack } from '../../src/pack.js';

const BIGMAX = 2 ** 53 - 1;
const LIST = [
  'pyramid',
  'flat',
  'overlap-linear',
  '🔬delayed reverse sawtooth',
  '🔬pyramid-sigma',
  '🔬pyramid-sigma inverse',
  '🔬gauss-sigma',
  '🔬gauss-sigma inverse',
  '🔬random',
];
const LIST_STATIC = [
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
];
const INTERPOLATION = ['linear', 'ease_in', 'ease_out', 'ease_in_out'];

type Decl = [string | string[], Record<string, unknown>?];
interface NodeDecl {
  required: [string, Decl][];
  optional?: [string, Decl][];
  output: string[];
  outputName?: string[];
}
const link = (type: string): Decl => [type];
const PERCENT = (d: number): Decl => ['FLOAT', { default: d, min: 0, max: 1, step: 0.001 }];
const UNIT = (d: number): Decl => ['FLOAT', { default: d, min: 0, max: 1, step: 0.01 }];
const LENGTH: Decl = ['INT', { default: 16, min: 1, max: 128 }];
const STRIDE: Decl = ['INT', { default: 1, min: 1, max: 32 }];
const OVERLAP: Decl = ['INT', { default: 4, min: 0, max: 128 }];
const BOOL = (d: boolean): Decl => ['BOOLEAN', { default: d }];
const GUARANTEE: Decl = ['INT', { default: 1, min: 0, max: BIGMAX }];
const MULT: Decl = ['FLOAT', { default: 1, min: 0, max: 1, step: 0.001 }];
const MULTS_FLOAT: Decl = ['FLOAT', { default: -1, min: -1, step: 0.001, forceInput: true }];
const COMMON_TAIL: [string, Decl][] = [
  ['use_on_equal_length', BOOL(false)],
  ['start_percent', PERCENT(0)],
  ['guarantee_steps', GUARANTEE],
  ['prev_context', link('CONTEXT_OPTIONS')],
  ['view_opts', link('VIEW_OPTS')],
];
const CONTEXT_OUT = { output: ['CONTEXT_OPTIONS'], outputName: ['CONTEXT_OPTS'] };

const ADE: Record<string, NodeDecl> = {
  ADE_StandardStaticContextOptions: {
    required: [['context_length', LENGTH], ['context_overlap', OVERLAP]],
    optional: [['fuse_method', [LIST_STATIC]], ...COMMON_TAIL],
    ...CONTEXT_OUT,
  },
  ADE_StandardUniformContextOptions: {
    required: [['context_length', LENGTH], ['context_stride', STRIDE], ['context_overlap', OVERLAP]],
    optional: [['fuse_method', [LIST]], ...COMMON_TAIL],
    ...CONTEXT_OUT,
  },
  ADE_LoopedUniformContextOptions: {
    required: [['context_length', LENGTH], ['context_stride', STRIDE], ['context_overlap', OVERLAP], ['closed_loop', BOOL(false)]],
    optional: [['fuse_method', [LIST]], ...COMMON_TAIL],
    ...CONTEXT_OUT,
  },
  ADE_AnimateDiffUniformContextOptions: {
    required: [['context_length', LENGTH], ['context_stride', STRIDE], ['context_overlap', OVERLAP], ['context_schedule', [['uniform']]], ['closed_loop', BOOL(false)]],
    optional: [['fuse_method', [LIST, { default: 'flat' }]], ...COMMON_TAIL],
    ...CONTEXT_OUT,
  },
  ADE_ViewsOnlyContextOptions: {
    required: [['view_opts_req', link('VIEW_OPTS')]],
    optional: [['start_percent', PERCENT(0)], ['guarantee_steps', GUARANTEE], ['prev_context', link('CONTEXT_OPTIONS')]],
    ...CONTEXT_OUT,
  },
  ADE_BatchedContextOptions: {
    required: [['context_length', LENGTH]],
    optional: [['start_percent', PERCENT(0)], ['guarantee_steps', GUARANTEE], ['prev_context', link('CONTEXT_OPTIONS')]],
    ...CONTEXT_OUT,
  },
  ADE_StandardStaticViewOptions: {
    required: [['view_length', LENGTH], ['view_overlap', OVERLAP]],
    optional: [['fuse_method', [LIST]]],
    output: ['VIEW_OPTS'],
  },
  ADE_StandardUniformViewOptions: {
    required: [['view_length', LENGTH], ['view_stride', STRIDE], ['view_overlap', OVERLAP]],
    optional: [['fuse_method', [LIST]]],
    output: ['VIEW_OPTS'],
  },
  ADE_LoopedUniformViewOptions: {
    required: [['view_length', LENGTH], ['view_stride', STRIDE], ['view_overlap', OVERLAP], ['closed_loop', BOOL(false)]],
    optional: [['fuse_method', [LIST]], ['use_on_equal_length', BOOL(false)]],
    output: ['VIEW_OPTS'],
  },
  ADE_ContextExtras_Set: {
    required: [['context_opts', link('CONTEXT_OPTIONS')]],
    optional: [['context_extras', link('CONTEXT_EXTRAS')]],
    ...CONTEXT_OUT,
  },
  ADE_ContextExtras_ContextRef: {
    required: [],
    optional: [
      ['prev_extras', link('CONTEXT_EXTRAS')],
      ['strength_multival', link('MULTIVAL')],
      ['contextref_mode', link('CONTEXTREF_MODE')],
      ['contextref_tune', link('CONTEXTREF_TUNE')],
      ['contextref_kf', link('CONTEXTREF_KEYFRAME')],
      ['start_percent', PERCENT(0)],
      ['end_percent', PERCENT(0.25)],
    ],
    output: ['CONTEXT_EXTRAS'],
  },
  ADE_ContextExtras_ContextRef_ModeFirst: { required: [], output: ['CONTEXTREF_MODE'] },
  ADE_ContextExtras_ContextRef_ModeSliding: { required: [], optional: [['sliding_width', ['INT', { default: 2, min: 2, max: BIGMAX, step: 1 }]]], output: ['CONTEXTREF_MODE'] },
  ADE_ContextExtras_ContextRef_ModeIndexes: {
    required: [],
    optional: [['switch_on_idxs', ['STRING', { default: '' }]], ['always_include_0', BOOL(true)]],
    output: ['CONTEXTREF_MODE'],
  },
  ADE_ContextExtras_ContextRef_TuneAttn: {
    required: [],
    optional: [['attn_style_fidelity', UNIT(1)], ['attn_ref_weight', UNIT(1)], ['attn_strength', UNIT(1)]],
    output: ['CONTEXTREF_TUNE'],
  },
  ADE_ContextExtras_ContextRef_TuneAttnAdain: {
    required: [],
    optional: [
      ['attn_style_fidelity', UNIT(1)],
      ['attn_ref_weight', UNIT(1)],
      ['attn_strength', UNIT(1)],
      ['adain_style_fidelity', UNIT(1)],
      ['adain_ref_weight', UNIT(1)],
      ['adain_strength', UNIT(1)],
    ],
    output: ['CONTEXTREF_TUNE'],
  },
  ADE_ContextExtras_ContextRef_Keyframe: {
    required: [],
    optional: [
      ['prev_kf', link('CONTEXTREF_KEYFRAME')],
      ['mult_multival', link('MULTIVAL')],
      ['mode_replace', link('CONTEXTREF_MODE')],
      ['tune_replace', link('CONTEXTREF_TUNE')],
      ['mult', MULT],
      ['start_percent', PERCENT(0)],
      ['guarantee_steps', GUARANTEE],
      ['inherit_missing', BOOL(true)],
    ],
    output: ['CONTEXTREF_KEYFRAME'],
    outputName: ['CONTEXTREF_KF'],
  },
  ADE_ContextExtras_ContextRef_KeyframeInterpolation: {
    required: [
      ['start_percent', PERCENT(0)],
      ['end_percent', PERCENT(1)],
      ['mult_start', MULT],
      ['mult_end', MULT],
      ['interpolation', [INTERPOLATION]],
      ['intervals', ['INT', { default: 50, min: 2, max: 100, step: 1 }]],
      ['inherit_missing', BOOL(true)],
      ['print_keyframes', BOOL(false)],
    ],
    optional: [['prev_kf', link('CONTEXTREF_KEYFRAME')], ['mult_multival', link('MULTIVAL')], ['mode_replace', link('CONTEXTREF_MODE')], ['tune_replace', link('CONTEXTREF_TUNE')]],
    output: ['CONTEXTREF_KEYFRAME'],
    outputName: ['CONTEXTREF_KF'],
  },
  ADE_ContextExtras_ContextRef_KeyframeFromList: {
    required: [['mults_float', MULTS_FLOAT], ['start_percent', PERCENT(0)], ['end_percent', PERCENT(1)], ['inherit_missing', BOOL(true)], ['print_keyframes', BOOL(false)]],
    optional: [['prev_kf', link('CONTEXTREF_KEYFRAME')], ['mult_multival', link('MULTIVAL')], ['mode_replace', link('CONTEXTREF_MODE')], ['tune_replace', link('CONTEXTREF_TUNE')]],
    output: ['CONTEXTREF_KEYFRAME'],
    outputName: ['CONTEXTREF_KF'],
  },
  ADE_ContextExtras_NaiveReuse: {
    required: [],
    optional: [
      ['prev_extras', link('CONTEXT_EXTRAS')],
      ['strength_multival', link('MULTIVAL')],
      ['naivereuse_kf', link('NAIVEREUSE_KEYFRAME')],
      ['start_percent', PERCENT(0)],
      ['end_percent', PERCENT(0.15)],
      ['weighted_mean', PERCENT(0.95)],
    ],
    output: ['CONTEXT_EXTRAS'],
  },
  ADE_ContextExtras_NaiveReuse_Keyframe: {
    required: [],
    optional: [
      ['prev_kf', link('NAIVEREUSE_KEYFRAME')],
      ['mult_multival', link('MULTIVAL')],
      ['mult', MULT],
      ['start_percent', PERCENT(0)],
      ['guarantee_steps', GUARANTEE],
      ['inherit_missing', BOOL(true)],
    ],
    output: ['NAIVEREUSE_KEYFRAME'],
    outputName: ['NAIVEREUSE_KF'],
  },
  ADE_ContextExtras_NaiveReuse_KeyframeInterpolation: {
    required: [
      ['start_percent', PERCENT(0)],
      ['end_percent', PERCENT(1)],
      ['mult_start', MULT],
      ['mult_end', MULT],
      ['interpolation', [INTERPOLATION]],
      ['intervals', ['INT', { default: 50, min: 2, max: 100, step: 1 }]],
      ['inherit_missing', BOOL(true)],
      ['print_keyframes', BOOL(false)],
    ],
    optional: [['prev_kf', link('NAIVEREUSE_KEYFRAME')], ['mult_multival', link('MULTIVAL')]],
    output: ['NAIVEREUSE_KEYFRAME'],
    outputName: ['NAIVEREUSE_KF'],
  },
  ADE_ContextExtras_NaiveReuse_KeyframeFromList: {
    required: [['mults_float', MULTS_FLOAT], ['start_percent', PERCENT(0)], ['end_percent', PERCENT(1)], ['inherit_missing', BOOL(true)], ['print_keyframes', BOOL(false)]],
    optional: [['prev_kf', link('NAIVEREUSE_KEYFRAME')], ['mult_multival', link('MULTIVAL')]],
    output: ['NAIVEREUSE_KEYFRAME'],
    outputName: ['NAIVEREUSE_KF'],
  },
};

const pack = createPiaPack({ modelsDir: '/nonexistent/models', inputDir: '/nonexistent/in', outputDir: '/nonexistent/out', tempDir: '/nonexistent/tmp', demo: false });
const info = new NodeRegistry().registerPack('piagraph.nodes-pia', pack.nodes).objectInfo();

function declared(entry: [string | string[], Record<string, unknown>?] | undefined, expected: Decl): Decl {
  const [type, options = {}] = entry ?? ['missing'];
  const picked = Object.fromEntries(Object.keys(expected[1] ?? {}).map((k) => [k, options[k]]));
  return expected[1] ? [type, picked] : [type];
}

describe.each(Object.entries(ADE))('object_info of %s', (name, decl) => {
  const node = info[name]!;

  it('has the declared inputs in the declared order, with their types, choices, defaults and limits', () => {
    expect(node, `${name} is not registered`).toBeDefined();
    expect(node.input_order.required ?? []).toEqual(decl.required.map(([n]) => n));
    expect(node.input_order.optional ?? []).toEqual((decl.optional ?? []).map(([n]) => n));
    for (const [n, d] of decl.required) expect([n, declared(node.input.required[n] as never, d)]).toEqual([n, d]);
    for (const [n, d] of decl.optional ?? []) expect([n, declared(node.input.optional?.[n] as never, d)]).toEqual([n, d]);
  });

  it('has the declared outputs and output names', () => {
    expect(node.output).toEqual(decl.output);
    expect(node.output_name).toEqual(decl.outputName ?? decl.output);
  });
});
