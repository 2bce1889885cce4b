/**
 * Everything a KSampler needs to sample a video with a MODEL that carries an AnimateDiff-Evolved motion model: the
 * frame count checked against the motion model's positions (or the context windows), the U-Net sessions (active, and
 * with the motion modules off for steps outside its range), PIA's condition channels, the initial noise of the sample
 * settings, and the video ConditionedModel.
 */
import { motionLabel } from '../motion/motion-model.js';
import { adeInitialNoise } from '../motion/noise.js';
import type { ConditioningValue, LatentValue } from '../nodes/socket-values.js';
import type { ConditionedModel, ModelSamplingDiscrete } from '../samplers/index.js';
import { framesPerCall, type SamplingProgress } from '../samplers/context/index.js';
import { adePiaChannels } from './ade-pia.js';
import { PipelineError } from './errors.js';
import type { ModelStore } from './model-store.js';
import type { ModelRecipe } from './recipes.js';
import { videoConditionedModel } from './video-model.js';

/** What {@link motionSampling} prepares. */
export interface MotionSampling {
  readonly model: ConditionedModel;
  /** The initial noise when ADE's sample settings replace ComfyUI's. */
  readonly noise?: Float32Array;
}

/** Refuses frame counts the motion model cannot take, naming the input to change. */
export function checkFrameCount(recipe: ModelRecipe, frames: number): void {
  const motion = recipe.motion!;
  const max = motion.info.maxFrames;
  const label = motionLabel(motion.info);
  const context = recipe.context;
  if (!context && frames > max) {
    throw new PipelineError(
      'frame-limit',
      `latent_image has ${frames} frames but the ${label} motion model "${motion.file.name}" takes at most ${max} at once; ` +
        'connect context options (e.g. Context Options◆Standard Uniform) to the AnimateDiff loader to sample longer animations in windows',
      { frames, max },
      'latent_image',
    );
  }
  for (let c = context; c; c = c.prev) {
    // With views a U-Net call sees a view (ADE checks the view length then).
    const length = framesPerCall(c) ?? 0;
    if (length > max) {
      throw new PipelineError(
        'frame-limit',
        `the context options' ${c.viewOptions ? 'view_length' : 'context_length'} ${length} is above the ${max} frames the ${label} motion model "${motion.file.name}" takes`,
        { contextLength: length, max },
        'model',
      );
    }
  }
}

/** Prepares the video sampling of `latent` with `recipe` (which has a motion model). */
export async function motionSampling(
  store: ModelStore,
  recipe: ModelRecipe,
  latent: LatentValue,
  prompts: { readonly positive: ConditioningValue; readonly negative: ConditioningValue },
  modelSampling: ModelSamplingDiscrete,
  seed: number,
  progress: SamplingProgress,
): Promise<MotionSampling> {
  const motion = recipe.motion!;
  const [frames, , h, w] = latent.dims;
  checkFrameCount(recipe, frames);
  if (motion.info.format === 'PIA' && !motion.pia) {
    throw new PipelineError('bad-option', `"${motion.file.name}" is a PIA motion model: apply it with Apply AnimateDiff-PIA Model, which gives it the image to animate`, {}, 'model');
  }
  const unet = await store.unet(recipe);
  const limited = motion.startPercent > 0 || motion.endPercent < 1;
  const inactive = limited ? await store.unet({ ...recipe, motion: { ...motion, effect: 0 } }) : undefined;
  const start = modelSampling.percentToSigma(motion.startPercent);
  const end = modelSampling.percentToSigma(motion.endPercent);
  const pia = motion.pia ? await adePiaChannels(await store.vae(motion.pia.vae), motion.pia, frames, h, w) : undefined;
  const model = videoConditionedModel({
    unet,
    ...(inactive ? { inactive, motionActive: (sigma: number) => !(sigma > start || sigma < end) } : {}),
    modelSampling,
    dims: latent.dims,
    positive: prompts.positive,
    negative: prompts.negative,
    ...(pia ? { pia } : {}),
    ...(recipe.context ? { context: recipe.context } : {}),
    progress,
  });
  const noise = recipe.sampleSettings ? adeInitialNoise(recipe.sampleSettings, seed, latent.dims, recipe.context) : undefined;
  return { model, ...(noise ? { noise } : {}) };
}
