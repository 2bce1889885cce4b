/**
 * Prompt Scheduling (`ADE_PromptScheduling`) and its latent-length form (`ADE_PromptSchedulingLatents`): keyframed
 * prompts encoded and interpolated into one embedding per frame (prompt travel). The video sampler gives each frame
 * its own text; a schedule shorter than the video repeats, as ComfyUI repeats a conditioning batch.
 */
import { defineNode } from '@piagraph/graph-core';
import { evaluatePromptSchedule, parsePromptSchedule, PromptScheduleError, TENSOR_INTERPS, type TensorInterp } from '../../motion/prompt-schedule.js';
import { PipelineError } from '../../pipeline/errors.js';
import { encodeText } from '../../pipeline/text.js';
import type { PackContext } from '../pack-context.js';
import type { ClipValue, ConditioningValue } from '../socket-values.js';
import { ADE_CATEGORY } from './categories.js';

/** ADE's BIGMAX: the integers a JSON number carries exactly. */
const BIG = Number.MAX_SAFE_INTEGER;

const TEXT = { type: 'STRING', multiline: true, default: '', forceInput: true } as const;

/** The per-frame CONDITIONING of a schedule. */
async function scheduled(
  pack: PackContext,
  options: { prompts: string; clip: ClipValue; length: number; interp: TensorInterp; prepend?: string; append?: string; print?: boolean },
  ctx: { text(message: string): void },
): Promise<ConditioningValue> {
  let schedule;
  try {
    schedule = parsePromptSchedule(options.prompts, options.length, { prepend: options.prepend ?? '', append: options.append ?? '' });
  } catch (err) {
    if (err instanceof PromptScheduleError) throw new PipelineError('bad-option', err.message, {}, 'prompts');
    throw err;
  }
  const { tokenizer, encoder } = await pack.store.clip(options.clip);
  let dims: readonly [1, number, number] = [1, 0, 0];
  const frames = await evaluatePromptSchedule(
    schedule,
    async (prompt) => {
      const e = await encodeText(tokenizer, encoder, prompt);
      dims = e.dims;
      return e.data;
    },
    options.interp,
  );
  if (options.print) ctx.text(schedule.keyframes.map((k) => `${k.idx}${k.hold ? ':' : ''} = "${k.prompt}"`).join('\n'));
  const per = frames[0]!.length;
  const data = new Float32Array(frames.length * per);
  frames.forEach((frame, i) => data.set(frame, i * per));
  return { data: data.slice(0, per), dims, text: options.prompts, perFrame: { data, frames: frames.length } };
}

/** The `ADE_PromptScheduling` node. */
export function promptSchedulingNode(pack: PackContext) {
  return defineNode({
    classType: 'ADE_PromptScheduling',
    displayName: 'Prompt Scheduling 🎭🅐🅓',
    category: ADE_CATEGORY.scheduling,
    description:
      'Encodes keyframed prompts ("0": "a cat", "16": "a dog") into one embedding per frame, interpolated between keyframes. ' +
      'max_length 0 ends the schedule at its last keyframe.',
    inputs: {
      required: {
        prompts: { type: 'STRING', multiline: true, default: '' },
        clip: { type: 'CLIP' },
      },
      optional: {
        prepend_text: TEXT,
        append_text: TEXT,
        values_replace: { type: 'VALUES_REPLACE' },
        print_schedule: { type: 'BOOLEAN', default: false },
        max_length: { type: 'INT', default: 0, min: 0, max: BIG, step: 1 },
        tensor_interp: { type: 'COMBO', options: TENSOR_INTERPS },
      },
    },
    outputs: [{ type: 'CONDITIONING' }],
    async run(inputs, ctx) {
      if (inputs.values_replace !== undefined) throw new PipelineError('unsupported', 'values_replace is not supported', {}, 'values_replace');
      const conditioning = await scheduled(
        pack,
        {
          prompts: inputs.prompts,
          clip: inputs.clip,
          length: inputs.max_length ?? 0,
          interp: inputs.tensor_interp ?? 'lerp',
          ...(inputs.prepend_text !== undefined ? { prepend: inputs.prepend_text } : {}),
          ...(inputs.append_text !== undefined ? { append: inputs.append_text } : {}),
          print: inputs.print_schedule ?? false,
        },
        ctx,
      );
      return { outputs: [conditioning], sizeBytes: conditioning.perFrame!.data.byteLength };
    },
  });
}

/** The `ADE_PromptSchedulingLatents` node. */
export function promptSchedulingLatentsNode(pack: PackContext) {
  return defineNode({
    classType: 'ADE_PromptSchedulingLatents',
    displayName: 'Prompt Scheduling [Latents] 🎭🅐🅓',
    category: ADE_CATEGORY.scheduling,
    description: 'Prompt Scheduling whose length is the latent batch (the frames); the latent passes through unchanged.',
    inputs: {
      required: {
        prompts: { type: 'STRING', multiline: true, default: '' },
        clip: { type: 'CLIP' },
        latent: { type: 'LATENT' },
      },
      optional: {
        prepend_text: TEXT,
        append_text: TEXT,
        values_replace: { type: 'VALUES_REPLACE' },
        print_schedule: { type: 'BOOLEAN', default: false },
        tensor_interp: { type: 'COMBO', options: TENSOR_INTERPS },
      },
    },
    outputs: [{ type: 'CONDITIONING' }, { type: 'LATENT' }],
    async run(inputs, ctx) {
      if (inputs.values_replace !== undefined) throw new PipelineError('unsupported', 'values_replace is not supported', {}, 'values_replace');
      const conditioning = await scheduled(
        pack,
        {
          prompts: inputs.prompts,
          clip: inputs.clip,
          length: inputs.latent.dims[0],
          interp: inputs.tensor_interp ?? 'lerp',
          ...(inputs.prepend_text !== undefined ? { prepend: inputs.prepend_text } : {}),
          ...(inputs.append_text !== undefined ? { append: inputs.append_text } : {}),
          print: inputs.print_schedule ?? false,
        },
        ctx,
      );
      return { outputs: [conditioning, inputs.latent], sizeBytes: conditioning.perFrame!.data.byteLength };
    },
  });
}
