/**
 * ADE's view options, Views Only and context extras on the real tiny models: views sample what context windows of the
 * same layout sample (piagraph runs a view as a U-Net call), long videos through views, NaiveReuse changing the video,
 * ContextRef refused with its mode named, the experimental sigma fuse methods under KSampler, and the extras nodes'
 * values (keyframe interpolation, index parsing, masked multivals refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '@piagraph/graph-core';
import { motionModelInfo } from '../../src/motion/bind.js';
import { adeFrameNorms } from '../../src/motion/motion-model.js';
import { betaScheduleSampling } from '../../src/motion/beta-schedules.js';
import { videoConditionedModel } from '../../src/pipeline/video-model.js';
import type { ModelRecipe } from '../../src/pipeline/recipes.js';
import type { ContextOptionsValue, ViewOptionsValue } from '../../src/samplers/context/options.js';
import {
  contextRefModeIndexesNode,
  interpolatedValues,
  naiveReuseKeyframeFromListNode,
  naiveReuseKeyframeInterpolationNode,
  naiveReuseNode,
} from '../../src/nodes/animatediff/context-extras.js';
import type { Harness } from '../e2e/harness.js';
import { randn } from '../models/naive/tensor.js';
import { createAdeHarness, maxDiff, MM, RANDOM, run, textToVideo } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createAdeHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const layout = { contextStride: 1, closedLoop: false, useOnEqualLength: false } as const;
const staticContext = (length: number, overlap: number, fuse: ContextOptionsValue['fuseMethod']): ContextOptionsValue => ({
  kind: 'context-options',
  schedule: 'standard_static',
  contextLength: length,
  contextOverlap: overlap,
  fuseMethod: fuse,
  startPercent: 0,
  guaranteeSteps: 1,
  ...layout,
});
const staticView = (length: number, overlap: number, fuse: ViewOptionsValue['fuseMethod']): ViewOptionsValue => ({
  kind: 'view-options',
  schedule: 'standard_static',
  contextLength: length,
  contextOverlap: overlap,
  fuseMethod: fuse,
  ...layout,
});

/** Links context options (node 30, and whatever `nodes` adds) to the Gen1 loader. */
const withContext = (nodes: Record<string, { class_type: string; inputs: Record<string, unknown> }>, frames = 40, mm?: string) =>
  textToVideo({
    frames,
    ...(mm ? { mm } : {}),
    edit: (p) => {
      Object.assign(p, nodes);
      (p['10']!.inputs as Record<string, unknown>)['context_options'] = ['30', 0];
    },
  });

describe('view options on the video model', { timeout: 120_000 }, () => {
  it('views only gives what context windows of the same layout and fuse method give', async () => {
    const store = h.pack.context.store;
    const base = (await h.pack.context.checkpointRecipes(RANDOM)).model;
    const file = await store.motionModelFile(MM);
    const info = await motionModelInfo(file.path);
    const recipe: ModelRecipe = { ...base, motion: { file, info, norms: adeFrameNorms(info), loras: [], scale: 1, effect: 1, startPercent: 0, endPercent: 1 } };
    const unet = await store.unet(recipe);
    const ms = betaScheduleSampling('sqrt_linear (AnimateDiff)');
    const [frames, c, hh, w] = [16, 4, 6, 6];
    const x = randn([frames, c, hh, w], 5).data;
    const text = (s: number) => ({ data: randn([1, 77, 32], s).data, dims: [1, 77, 32] as const, text: '' });
    const common = { unet, modelSampling: ms, dims: [frames, c, hh, w] as const, positive: text(1), negative: text(2), progress: { step: () => 0, totalSteps: 1 } };
    const sigma = ms.sigma(500);
    const viewsOnly: ContextOptionsValue = {
      ...staticContext(0, 0, 'flat'),
      schedule: 'view_as_context',
      useOnEqualLength: true,
      viewOptions: staticView(8, 4, 'pyramid'),
    };
    const viaViews = (await videoConditionedModel({ ...common, context: viewsOnly })(x, sigma, ['uncond', 'cond']))[1]!;
    const viaContext = (await videoConditionedModel({ ...common, context: staticContext(8, 4, 'pyramid') })(x, sigma, ['uncond', 'cond']))[1]!;
    expect(Math.max(...viaViews.map((v, i) => Math.abs(v - viaContext[i]!)))).toBeLessThan(1e-5);
  });
});

describe('context option graphs', { timeout: 300_000 }, () => {
  it('samples 40 frames with a 32-position motion model through Views Only with 16-frame views', async () => {
    const video = await run(
      h,
      withContext({
        '31': { class_type: 'ADE_StandardStaticViewOptions', inputs: { view_length: 16, view_overlap: 4, fuse_method: 'pyramid' } },
        '30': { class_type: 'ADE_ViewsOnlyContextOptions', inputs: { view_opts_req: ['31', 0] } },
      }),
    );
    expect(video).toHaveLength(40);
  });

  it('samples context windows split into views, with the 🔬gauss-sigma fuse method', async () => {
    const video = await run(
      h,
      withContext({
        '31': { class_type: 'ADE_LoopedUniformViewOptions', inputs: { view_length: 8, view_stride: 1, view_overlap: 2, closed_loop: false, fuse_method: '🔬pyramid-sigma' } },
        '30': {
          class_type: 'ADE_StandardUniformContextOptions',
          inputs: { context_length: 24, context_stride: 1, context_overlap: 6, fuse_method: '🔬gauss-sigma', view_opts: ['31', 0] },
        },
      }),
    );
    expect(video).toHaveLength(40);
  });

  it('refuses a view length above the motion model\'s positions, naming view_length', async () => {
    const { result } = await h.run(
      withContext(
        {
          '31': { class_type: 'ADE_StandardStaticViewOptions', inputs: { view_length: 32, view_overlap: 4 } },
          '30': { class_type: 'ADE_ViewsOnlyContextOptions', inputs: { view_opts_req: ['31', 0] } },
        },
        40,
        'piagraph-demo-mm-v1.ckpt',
      ),
    );
    expect(result.error?.exception_message).toContain('view_length 32 is above the 24 frames');
  });

  it('NaiveReuse (through Set Context Extras) changes the video; the same graph without it does not', async () => {
    const context = { '31': { class_type: 'ADE_StandardStaticContextOptions', inputs: { context_length: 8, context_overlap: 2 } } };
    const plain = await run(h, withContext({ ...context, '30': { class_type: 'ADE_ContextExtras_Set', inputs: { context_opts: ['31', 0] } } }, 16));
    const reuse = await run(
      h,
      withContext(
        {
          ...context,
          '32': { class_type: 'ADE_ContextExtras_NaiveReuse', inputs: { start_percent: 0, end_percent: 1, weighted_mean: 0.95 } },
          '30': { class_type: 'ADE_ContextExtras_Set', inputs: { context_opts: ['31', 0], context_extras: ['32', 0] } },
        },
        16,
      ),
    );
    const direct = await run(h, withContext({ '30': context['31'] }, 16));
    expect(maxDiff(plain, direct)).toBe(0);
    expect(maxDiff(reuse, plain)).toBeGreaterThan(0);
  });

  it('refuses ContextRef at sampling, naming its mode', async () => {
    const { result } = await h.run(
      withContext({
        '31': { class_type: 'ADE_StandardUniformContextOptions', inputs: { context_length: 16, context_stride: 1, context_overlap: 4 } },
        '33': { class_type: 'ADE_ContextExtras_ContextRef_ModeSliding', inputs: { sliding_width: 3 } },
        '34': { class_type: 'ADE_ContextExtras_ContextRef_TuneAttn', inputs: {} },
        '32': { class_type: 'ADE_ContextExtras_ContextRef', inputs: { contextref_mode: ['33', 0], contextref_tune: ['34', 0] } },
        '30': { class_type: 'ADE_ContextExtras_Set', inputs: { context_opts: ['31', 0], context_extras: ['32', 0] } },
      }),
    );
    expect(result.status).toBe('error');
    expect(result.error?.exception_message).toContain('ContextRef (mode "sliding")');
    expect(result.error?.exception_message).toContain('Advanced-ControlNet');
  });
});

describe('context extras node values', () => {
  const ctx = {} as RunContext;

  it("eases keyframe mults as ADE's InterpolationMethod does and spreads their percents with the first guaranteeing a step", async () => {
    // linspace(0, 1, 3) = 0, 0.5, 1; ease_in: 1 − t² from 1 to 0 → 1, 0.75, 0; ease_out: 1 − (1 − (1 − t)²) → 1, 0.25, 0.
    expect(interpolatedValues(1, 0, 3, 'ease_in')).toEqual([1, 0.75, 0]);
    expect(interpolatedValues(1, 0, 3, 'ease_out')).toEqual([1, 0.25, 0]);
    expect(interpolatedValues(0, 1, 3, 'ease_in_out').map((v) => Number(v.toFixed(12)))).toEqual([0, 0.5, 1]);
    const node = naiveReuseKeyframeInterpolationNode(h.pack.context);
    const { outputs } = await node.run(
      { start_percent: 0.2, end_percent: 0.6, mult_start: 1, mult_end: 0.5, interpolation: 'linear', intervals: 3, inherit_missing: true, print_keyframes: false },
      ctx,
    );
    expect(outputs[0].keyframes.map((k) => [Number(k.startPercent.toFixed(6)), Number(k.mult.toFixed(6)), k.guaranteeSteps])).toEqual([
      [0.2, 1, 1],
      [0.4, 0.75, 0],
      [0.6, 0.5, 0],
    ]);
  });

  it('takes a list or a single number as mults_float, and refuses other values', async () => {
    const node = naiveReuseKeyframeFromListNode(h.pack.context);
    const base = { start_percent: 0, end_percent: 1, inherit_missing: true, print_keyframes: false };
    const list = await node.run({ ...base, mults_float: [0.5, 1] as unknown as number }, ctx);
    expect(list.outputs[0].keyframes.map((k) => [k.startPercent, k.mult])).toEqual([
      [0, 0.5],
      [1, 1],
    ]);
    expect((await node.run({ ...base, mults_float: 0.3 }, ctx)).outputs[0].keyframes).toHaveLength(1);
    expect(() => node.run({ ...base, mults_float: 'x' as unknown as number }, ctx)).toThrow(/mults_float must be a number or a list of numbers/);
  });

  it('parses switch_on_idxs as frame numbers, adding 0 unless told not to', async () => {
    const node = contextRefModeIndexesNode(h.pack.context);
    expect((await node.run({ switch_on_idxs: '8, 3,16', always_include_0: true }, ctx)).outputs[0]).toEqual({ kind: 'contextref-mode', mode: 'indexes', indexes: [0, 3, 8, 16] });
    expect((await node.run({ switch_on_idxs: '', always_include_0: false }, ctx)).outputs[0]).toEqual({ kind: 'contextref-mode', mode: 'indexes', indexes: [] });
    expect(() => node.run({ switch_on_idxs: '2:5', always_include_0: true }, ctx)).toThrow(/switch_on_idxs: "2:5" is not a frame number/);
  });

  it('refuses a masked multival, naming the input', () => {
    const node = naiveReuseNode(h.pack.context);
    const mask = { data: new Float32Array(4), dims: [1, 2, 2] as const };
    expect(() => node.run({ strength_multival: { kind: 'multival', value: 1, mask } }, ctx)).toThrow(/strength_multival: .* not a masked multival/);
  });
});
