/**
 * `object_info` of the ADE and VHS nodes against their declarations in AnimateDiff-Evolved (`nodes_gen1.py`,
 * `nodes_gen2.py`, `nodes_pia.py`, `nodes_sample.py`, `nodes_multival.py`, `nodes_lora.py`, `nodes_scheduling.py`,
 * `nodes_extras.py`, `nodes_deprecated.py`) and VideoHelperSuite (`load_video_nodes.py`, `load_images_nodes.py`,
 * `image_latent_nodes.py`, `nodes.py`), written out by hand here: input names in order (the widget order UI workflows
 * rely on), types, combo choices, defaults and limits, outputs and their names. UI-only inputs (ADE's hidden `autosize`,
 * `ADEWARN` banners, VHS's hidden `unique_id`) are not part of the API and are left out.
 */
import { describe, expect, it } from 'vitest';
import { createPiaPack } from '../../src/pack.js';
import { NodeRegistry } from '@piagraph/graph-core';

const BIGMAX = 2 ** 53 - 1;
const BIGMIN = -BIGMAX;
const BETA = [
  'autoselect',
  'use existing',
  'sqrt_linear (AnimateDiff)',
  'linear (AnimateDiff-SDXL)',
  'linear (HotshotXL/default)',
  'avg(sqrt_linear,linear)',
  'lcm avg(sqrt_linear,linear)',
  'lcm',
  'lcm[100_ots]',
  'lcm >> sqrt_linear',
  'sqrt',
  'cosine',
  'squaredcos_cap_v2',
];
const PERCENT = (d: number) => ['FLOAT', { default: d, min: 0, max: 1, step: 0.001 }];

/** An input as ADE/VHS declare it: a type (or a combo's choices, `null` for a folder listing) and the declared options. */
type Decl = [string | string[] | null, Record<string, unknown>?];
interface NodeDecl {
  required: [string, Decl][];
  optional?: [string, Decl][];
  output: string[];
  outputName?: string[];
}

const link = (type: string): Decl => [type];

const ADE: Record<string, NodeDecl> = {
  ADE_AnimateDiffLoaderGen1: {
    required: [['model', link('MODEL')], ['model_name', [null]], ['beta_schedule', [BETA, { default: 'autoselect' }]]],
    optional: [
      ['context_options', link('CONTEXT_OPTIONS')],
      ['motion_lora', link('MOTION_LORA')],
      ['ad_settings', link('AD_SETTINGS')],
      ['ad_keyframes', link('AD_KEYFRAMES')],
      ['sample_settings', link('SAMPLE_SETTINGS')],
      ['scale_multival', link('MULTIVAL')],
      ['effect_multival', link('MULTIVAL')],
      ['per_block', link('PER_BLOCK')],
    ],
    output: ['MODEL'],
  },
  ADE_AnimateDiffLoaderWithContext: {
    required: [['model', link('MODEL')], ['model_name', [null]], ['beta_schedule', [BETA, { default: 'autoselect' }]]],
    optional: [
      ['context_options', link('CONTEXT_OPTIONS')],
      ['motion_lora', link('MOTION_LORA')],
      ['ad_settings', link('AD_SETTINGS')],
      ['sample_settings', link('SAMPLE_SETTINGS')],
      ['motion_scale', ['FLOAT', { default: 1.0, min: 0.0, step: 0.001 }]],
      ['apply_v2_models_properly', ['BOOLEAN', { default: true }]],
      ['ad_keyframes', link('AD_KEYFRAMES')],
    ],
    output: ['MODEL'],
  },
  ADE_LoadAnimateDiffModel: { required: [['model_name', [null]]], optional: [['ad_settings', link('AD_SETTINGS')]], output: ['MOTION_MODEL_ADE'], outputName: ['MOTION_MODEL'] },
  ADE_ApplyAnimateDiffModelSimple: {
    required: [['motion_model', link('MOTION_MODEL_ADE')]],
    optional: [['motion_lora', link('MOTION_LORA')], ['scale_multival', link('MULTIVAL')], ['effect_multival', link('MULTIVAL')], ['ad_keyframes', link('AD_KEYFRAMES')], ['per_block', link('PER_BLOCK')]],
    output: ['M_MODELS'],
  },
  ADE_ApplyAnimateDiffModel: {
    required: [['motion_model', link('MOTION_MODEL_ADE')], ['start_percent', PERCENT(0) as Decl], ['end_percent', PERCENT(1) as Decl]],
    optional: [
      ['motion_lora', link('MOTION_LORA')],
      ['scale_multival', link('MULTIVAL')],
      ['effect_multival', link('MULTIVAL')],
      ['ad_keyframes', link('AD_KEYFRAMES')],
      ['prev_m_models', link('M_MODELS')],
      ['per_block', link('PER_BLOCK')],
    ],
    output: ['M_MODELS'],
  },
  ADE_UseEvolvedSampling: {
    required: [['model', link('MODEL')], ['beta_schedule', [BETA, { default: 'autoselect' }]]],
    optional: [['m_models', link('M_MODELS')], ['context_options', link('CONTEXT_OPTIONS')], ['sample_settings', link('SAMPLE_SETTINGS')]],
    output: ['MODEL'],
  },
  ADE_EmptyLatentImageLarge: {
    required: [
      ['width', ['INT', { default: 512, min: 64, max: 16384, step: 8 }]],
      ['height', ['INT', { default: 512, min: 64, max: 16384, step: 8 }]],
      ['batch_size', ['INT', { default: 1, min: 1, max: 262144 }]],
    ],
    output: ['LATENT'],
  },
  ADE_MultivalDynamic: { required: [['float_val', ['FLOAT', { default: 1.0, min: 0.0, step: 0.001 }]]], optional: [['mask_optional', link('MASK')]], output: ['MULTIVAL'] },
  ADE_ApplyAnimateDiffModelWithPIA: {
    required: [['motion_model', link('MOTION_MODEL_ADE')], ['image', link('IMAGE')], ['vae', link('VAE')], ['start_percent', PERCENT(0) as Decl], ['end_percent', PERCENT(1) as Decl]],
    optional: [
      ['pia_input', link('PIA_INPUT')],
      ['motion_lora', link('MOTION_LORA')],
      ['scale_multival', link('MULTIVAL')],
      ['effect_multival', link('MULTIVAL')],
      ['ad_keyframes', link('AD_KEYFRAMES')],
      ['prev_m_models', link('M_MODELS')],
      ['per_block', link('PER_BLOCK')],
    ],
    output: ['M_MODELS'],
  },
  ADE_InputPIA_PaperPresets: {
    required: [
      [
        'preset',
        [
          [
            'Animation (Small Motion)',
            'Animation (Medium Motion)',
            'Animation (Large Motion)',
            'Loop (Small Motion)',
            'Loop (Medium Motion)',
            'Loop (Large Motion)',
            'Style Transfer (Small Motion)',
            'Style Transfer (Medium Motion)',
            'Style Transfer (Large Motion)',
          ],
        ],
      ],
      ['batch_index', ['INT', { default: 0, min: BIGMIN, max: BIGMAX, step: 1 }]],
    ],
    optional: [['mult_multival', link('MULTIVAL')], ['print_values', ['BOOLEAN', { default: false }]]],
    output: ['PIA_INPUT'],
  },
  ADE_InputPIA_Multival: { required: [['multival', link('MULTIVAL')]], output: ['PIA_INPUT'] },
  ADE_AnimateDiffSamplingSettings: {
    required: [
      ['batch_offset', ['INT', { default: 0, min: 0, max: BIGMAX }]],
      ['noise_type', [['default', 'constant', 'empty', 'repeated_context', 'FreeNoise']]],
      ['seed_gen', [['comfy', 'comfy [gpu]', 'auto1111', 'auto1111 [gpu]']]],
      ['seed_offset', ['INT', { default: 0, min: BIGMIN, max: BIGMAX }]],
    ],
    optional: [
      ['noise_layers', link('NOISE_LAYERS')],
      ['iteration_opts', link('ITERATION_OPTS')],
      ['seed_override', ['INT', { default: 0, min: 0, max: 0xffffffffffffffff, forceInput: true }]],
      ['adapt_denoise_steps', ['BOOLEAN', { default: false }]],
      ['custom_cfg', link('CUSTOM_CFG')],
      ['sigma_schedule', link('SIGMA_SCHEDULE')],
      ['image_inject', link('IMAGE_INJECT')],
      ['ancestral_opts', link('ANCESTRAL_OPTS')],
    ],
    output: ['SAMPLE_SETTINGS'],
    outputName: ['settings'],
  },
  ADE_AnimateDiffLoRALoader: {
    required: [['name', [null]], ['strength', ['FLOAT', { default: 1.0, min: 0.0, max: 10.0, step: 0.001 }]]],
    optional: [['prev_motion_lora', link('MOTION_LORA')]],
    output: ['MOTION_LORA'],
  },
  ADE_PromptScheduling: {
    required: [['prompts', ['STRING', { multiline: true, default: '' }]], ['clip', link('CLIP')]],
    optional: [
      ['prepend_text', ['STRING', { multiline: true, default: '', forceInput: true }]],
      ['append_text', ['STRING', { multiline: true, default: '', forceInput: true }]],
      ['values_replace', link('VALUES_REPLACE')],
      ['print_schedule', ['BOOLEAN', { default: false }]],
      ['max_length', ['INT', { default: 0, min: 0, max: BIGMAX, step: 1 }]],
      ['tensor_interp', [['lerp', 'slerp']]],
    ],
    output: ['CONDITIONING'],
  },
  ADE_PromptSchedulingLatents: {
    required: [['prompts', ['STRING', { multiline: true, default: '' }]], ['clip', link('CLIP')], ['latent', link('LATENT')]],
    optional: [
      ['prepend_text', ['STRING', { multiline: true, default: '', forceInput: true }]],
      ['append_text', ['STRING', { multiline: true, default: '', forceInput: true }]],
      ['values_replace', link('VALUES_REPLACE')],
      ['print_schedule', ['BOOLEAN', { default: false }]],
      ['tensor_interp', [['lerp', 'slerp']]],
    ],
    output: ['CONDITIONING', 'LATENT'],
  },
};

const LOAD_VIDEO_WIDGETS: [string, Decl][] = [
  ['force_rate', ['FLOAT', { default: 0, min: 0, max: 60, step: 1 }]],
  ['custom_width', ['INT', { default: 0, min: 0, max: 8192 }]],
  ['custom_height', ['INT', { default: 0, min: 0, max: 8192 }]],
  ['frame_load_cap', ['INT', { default: 0, min: 0, max: BIGMAX, step: 1 }]],
  ['skip_first_frames', ['INT', { default: 0, min: 0, max: BIGMAX, step: 1 }]],
  ['select_every_nth', ['INT', { default: 1, min: 1, max: BIGMAX, step: 1 }]],
];
const LOAD_VIDEO_OPTIONAL: [string, Decl][] = [
  ['meta_batch', link('VHS_BatchManager')],
  ['vae', link('VAE')],
  ['format', [['None', 'AnimateDiff', 'Mochi', 'LTXV', 'Hunyuan', 'Cosmos', 'Wan'], { default: 'AnimateDiff' }]],
];
const LOAD_IMAGES_OPTIONAL: [string, Decl][] = [
  ['image_load_cap', ['INT', { default: 0, min: 0, max: BIGMAX, step: 1 }]],
  ['skip_first_images', ['INT', { default: 0, min: 0, max: BIGMAX, step: 1 }]],
  ['select_every_nth', ['INT', { default: 1, min: 1, max: BIGMAX, step: 1 }]],
  ['meta_batch', link('VHS_BatchManager')],
];
const INFO = ['fps', 'frame_count', 'duration', 'width', 'height'];
const INFO_TYPES = ['FLOAT', 'INT', 'FLOAT', 'INT', 'INT'];

const VHS: Record<string, NodeDecl> = {
  VHS_LoadVideo: {
    required: [['video', [null]], ...LOAD_VIDEO_WIDGETS],
    optional: LOAD_VIDEO_OPTIONAL,
    output: ['IMAGE', 'INT', 'AUDIO', 'VHS_VIDEOINFO'],
    outputName: ['IMAGE', 'frame_count', 'audio', 'video_info'],
  },
  VHS_LoadVideoPath: {
    required: [['video', ['STRING', { placeholder: 'X://insert/path/here.mp4' }]], ...LOAD_VIDEO_WIDGETS],
    optional: LOAD_VIDEO_OPTIONAL,
    output: ['IMAGE', 'INT', 'AUDIO', 'VHS_VIDEOINFO'],
    outputName: ['IMAGE', 'frame_count', 'audio', 'video_info'],
  },
  VHS_LoadImages: { required: [['directory', [null]]], optional: LOAD_IMAGES_OPTIONAL, output: ['IMAGE', 'MASK', 'INT'], outputName: ['IMAGE', 'MASK', 'frame_count'] },
  VHS_LoadImagesPath: {
    required: [['directory', ['STRING', { placeholder: 'X://path/to/images' }]]],
    optional: LOAD_IMAGES_OPTIONAL,
    output: ['IMAGE', 'MASK', 'INT'],
    outputName: ['IMAGE', 'MASK', 'frame_count'],
  },
  VHS_VideoInfo: {
    required: [['video_info', link('VHS_VIDEOINFO')]],
    output: [...INFO_TYPES, ...INFO_TYPES],
    outputName: [...INFO.map((k) => `source_${k}🟨`), ...INFO.map((k) => `loaded_${k}🟦`)],
  },
  VHS_VideoInfoSource: { required: [['video_info', link('VHS_VIDEOINFO')]], output: INFO_TYPES, outputName: INFO.map((k) => `${k}🟨`) },
  VHS_VideoInfoLoaded: { required: [['video_info', link('VHS_VIDEOINFO')]], output: INFO_TYPES, outputName: INFO.map((k) => `${k}🟦`) },
  VHS_SplitImages: {
    required: [['images', link('IMAGE')], ['split_index', ['INT', { default: 0, step: 1, min: BIGMIN, max: BIGMAX }]]],
    output: ['IMAGE', 'INT', 'IMAGE', 'INT'],
    outputName: ['IMAGE_A', 'A_count', 'IMAGE_B', 'B_count'],
  },
  VHS_MergeImages: {
    required: [
      ['images_A', link('IMAGE')],
      ['images_B', link('IMAGE')],
      ['merge_strategy', [['match A', 'match B', 'match smaller', 'match larger']]],
      ['scale_method', [['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp']]],
      ['crop', [['disabled', 'center']]],
    ],
    output: ['IMAGE', 'INT'],
    outputName: ['IMAGE', 'count'],
  },
  VHS_SelectEveryNthImage: {
    required: [['images', link('IMAGE')], ['select_every_nth', ['INT', { default: 1, min: 1, max: BIGMAX, step: 1 }]], ['skip_first_images', ['INT', { default: 0, min: 0, max: BIGMAX, step: 1 }]]],
    output: ['IMAGE', 'INT'],
    outputName: ['IMAGE', 'count'],
  },
  VHS_GetImageCount: { required: [['images', link('IMAGE')]], output: ['INT'], outputName: ['count'] },
  VHS_DuplicateImages: { required: [['images', link('IMAGE')], ['multiply_by', ['INT', { default: 1, min: 1, max: BIGMAX, step: 1 }]]], output: ['IMAGE', 'INT'], outputName: ['IMAGE', 'count'] },
  VHS_SelectImages: {
    required: [['image', link('IMAGE')], ['indexes', ['STRING', { default: '0' }]], ['err_if_missing', ['BOOLEAN', { default: true }]], ['err_if_empty', ['BOOLEAN', { default: true }]]],
    output: ['IMAGE'],
  },
};

const pack = createPiaPack({ modelsDir: '/nonexistent/models', inputDir: '/nonexistent/input', outputDir: '/nonexistent/output', tempDir: '/nonexistent/temp', demo: false });
const info = new NodeRegistry().registerPack('piagraph.nodes-pia', pack.nodes).objectInfo();

/** Our input as a declaration: its type (`null` for a combo of files, whose choices depend on the folders) and the declared options. */
function declared(entry: [string | string[], Record<string, unknown>?] | undefined, expected: Decl): Decl {
  const [type, options = {}] = entry ?? ['missing'];
  const shown = expected[0] === null && Array.isArray(type) ? null : type;
  const picked = Object.fromEntries(Object.keys(expected[1] ?? {}).map((k) => [k, options[k]]));
  return expected[1] ? [shown, picked] : [shown];
}

describe.each(Object.entries({ ...ADE, ...VHS }))('object_info of %s', (name, decl) => {
  const node = info[name]!;

  it('has the declared inputs in the declared order, with their types, choices, defaults and limits', () => {
    expect(node, `${name} is not registered`).toBeDefined();
    expect(node.input_order.required).toEqual(decl.required.map(([n]) => n));
    expect(node.input_order.optional ?? []).toEqual((decl.optional ?? []).map(([n]) => n));
    for (const [n, d] of decl.required) expect([n, declared(node.input.required[n] as never, d)]).toEqual([n, d]);
    for (const [n, d] of decl.optional ?? []) expect([n, declared(node.input.optional?.[n] as never, d)]).toEqual([n, d]);
  });

  it('has the declared outputs and output names', () => {
    expect(node.output).toEqual(decl.output);
    expect(node.output_name).toEqual(decl.outputName ?? decl.output);
  });
});
