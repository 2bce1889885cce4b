/**
 * PIA Animate: the whole pipeline in one node, with the inputs of diffusers' `PIAPipeline.__call__` (image, prompt,
 * negative_prompt, num_frames, num_inference_steps, guidance_scale, motion_scale, seed) plus the model files.
 * It runs the same helpers as the separate nodes, so both paths compute the same frames.
 */
import { defineNode } from '@piagraph/graph-core';
import { AFFINITY_PRESETS, prepareMaskCoefByStatistics } from '../affinity/index.js';
import { encodeConditionLatent, prepareConditionPixels } from '../pipeline/condition-image.js';
import { decodeVideoLatent } from '../pipeline/decode.js';
import { PIA_DEFAULT_NEGATIVE_PROMPT, PIA_DEFAULTS } from '../pipeline/pia-defaults.js';
import { sampleVideo } from '../pipeline/sampler.js';
import { imageSizeMultiple } from '../pipeline/sizes.js';
import { encodeText } from '../pipeline/text.js';
import { MAX_WIDGET_SEED } from './ddim-sampler.js';
import type { PackContext } from './pack-context.js';

/** The `PIAAnimate` node. */
export function piaAnimateNode(pack: PackContext) {
  return defineNode({
    classType: 'PIAAnimate',
    displayName: 'PIA Animate',
    category: 'pia',
    description:
      "Image → animation in one node, with diffusers PIAPipeline's inputs. motion_scale 0–2: more motion; 3–5: loops; " +
      '6–8: style transfer. seed drives both the noise and the VAE posterior sample, as diffusers\' generator does.',
    inputs: {
      required: {
        image: { type: 'IMAGE' },
        prompt: { type: 'STRING', multiline: true, default: '' },
        negative_prompt: { type: 'STRING', multiline: true, default: PIA_DEFAULT_NEGATIVE_PROMPT },
        num_frames: { type: 'INT', default: PIA_DEFAULTS.frames, min: 1, max: 32 },
        num_inference_steps: { type: 'INT', default: PIA_DEFAULTS.steps, min: 1, max: 1000 },
        guidance_scale: { type: 'FLOAT', default: PIA_DEFAULTS.cfg, min: 0, max: 30, step: 0.1, round: 0.01 },
        motion_scale: { type: 'INT', default: 0, min: 0, max: 8, display: 'slider' },
        seed: { type: 'INT', default: 0, min: 0, max: MAX_WIDGET_SEED, control_after_generate: true },
        ckpt_name: { type: 'COMBO', options: () => pack.checkpoints() },
        pia_name: { type: 'COMBO', options: () => pack.piaFiles() },
        long_edge: { type: 'INT', default: PIA_DEFAULTS.longEdge, min: 16, max: 2048, step: 8 },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    async run(inputs, ctx) {
      const recipes = await pack.checkpointRecipes(inputs.ckpt_name, inputs.pia_name);
      const config = recipes.model.config;
      const { tokenizer, encoder: clip } = await pack.store.clip(recipes.clip);
      const vae = await pack.store.vae(recipes.vae);
      const positive = await encodeText(tokenizer, clip, inputs.prompt);
      const negative = await encodeText(tokenizer, clip, inputs.negative_prompt);
      const pixels = await prepareConditionPixels(inputs.image, { mode: 'pia', longEdge: inputs.long_edge }, imageSizeMultiple(config));
      const condition = await encodeConditionLatent(vae, pixels, { mode: 'sample', seed: inputs.seed });
      const preset = AFFINITY_PRESETS.find((p) => p.motionScale === inputs.motion_scale)!;
      const mask = prepareMaskCoefByStatistics(inputs.num_frames, 0, preset.name);
      const [, channels, h, w] = condition.dims;
      const samples = await sampleVideo({
        unet: await pack.store.unet(recipes.model),
        positive: positive.data,
        negative: negative.data,
        textDims: [positive.dims[1], positive.dims[2]],
        conditionLatent: condition.latent,
        mask,
        height: h,
        width: w,
        seed: inputs.seed,
        steps: inputs.num_inference_steps,
        cfg: inputs.guidance_scale,
        signal: ctx.signal,
        previews: false,
        onStep: (step) => ctx.progress(step.step, step.total),
      });
      const frames = await decodeVideoLatent(vae, samples, [1, channels, mask.length, h, w], 4);
      return { outputs: [frames], sizeBytes: frames.data.byteLength };
    },
  });
}
