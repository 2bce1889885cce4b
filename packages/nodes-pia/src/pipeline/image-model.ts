/**
 * The image U-Net as ComfyUI's samplers see it (a `ConditionedModel`): for an EPS model, the U-Net input is
 * `x / √(σ² + 1)` at timestep `t(σ)` and the prediction returned is the denoised latent `x − σ·ε`. The images of the
 * latent batch and the conditionings asked for (uncond, cond) go through the U-Net as one batch, each image with its
 * own GroupNorm statistics (one "frame" per sample), as the SD U-Net computes them.
 */
import type { UNetHandle } from '../models/index.js';
import type { ConditioningValue } from '../nodes/socket-values.js';
import type { ConditionedModel, CondKind, ModelSamplingDiscrete } from '../samplers/index.js';
import { PipelineError } from './errors.js';
import { frameText } from './video-model.js';

/** The two prompts of a KSampler. */
export interface Prompts {
  readonly positive: ConditioningValue;
  readonly negative: ConditioningValue;
}

/** Checks that both prompts fit the U-Net and each other (same token count and width). */
function checkPrompts(unet: UNetHandle, prompts: Prompts): void {
  const width = unet.config.unet.crossAttentionDim;
  for (const [input, c] of [['positive', prompts.positive], ['negative', prompts.negative]] as const) {
    if (c.dims[2] !== width) {
      throw new PipelineError('shape-mismatch', `${input} is [${c.dims.join(', ')}]; this model's cross-attention takes ${width}-wide embeddings`, { dims: c.dims }, input);
    }
  }
  if (prompts.positive.dims[1] !== prompts.negative.dims[1]) {
    throw new PipelineError('shape-mismatch', `positive has ${prompts.positive.dims[1]} tokens and negative ${prompts.negative.dims[1]}`, {}, 'negative');
  }
}

/** The U-Net over a latent batch `[B, C, h, w]` as a {@link ConditionedModel}. */
export function imageConditionedModel(unet: UNetHandle, ms: ModelSamplingDiscrete, dims: readonly [number, number, number, number], prompts: Prompts): ConditionedModel {
  checkPrompts(unet, prompts);
  const [b, c, h, w] = dims;
  const perImage = c * h * w;
  const [, tokens, width] = prompts.positive.dims;
  const perText = tokens * width;
  // A per-frame conditioning (prompt scheduling) gives image i its entry i, repeated as ComfyUI repeats a cond batch.
  const textOf = (kind: CondKind, i: number) => frameText(kind === 'cond' ? prompts.positive : prompts.negative, i);
  return async (x, sigma, conds) => {
    const k = conds.length;
    const xin = ms.calculateInput(sigma, x);
    // Sample j·B + i is image i under conditioning j; `[K·B, C, 1, h, w]` is the same memory as K copies of x.
    const sample = new Float32Array(k * b * perImage);
    const text = new Float32Array(k * b * perText);
    conds.forEach((kind, j) => {
      sample.set(xin, j * b * perImage);
      for (let i = 0; i < b; i++) text.set(textOf(kind, i), (j * b + i) * perText);
    });
    const eps = await unet.run({ data: sample, dims: [k * b, c, 1, h, w] }, ms.timestep(sigma), { data: text, dims: [k * b, tokens, width] });
    return conds.map((_, j) => ms.calculateDenoised(sigma, eps.data.subarray(j * b * perImage, (j + 1) * b * perImage), x));
  };
}
