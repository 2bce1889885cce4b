/**
 * A U-Net with motion modules as ComfyUI's samplers see it (a `ConditionedModel`), the way AnimateDiff-Evolved runs
 * one: the latent batch `[F, 4, h, w]` is one video (frame f = batch entry f), each conditioning asked for (uncond,
 * cond) is one sample `[K, C, F, h, w]` of the motion U-Net, with one text per frame (prompt travel), and for PIA the
 * affinity mask and condition latent of each frame beside the noisy latent (channels 4 | 1 | 4). With context options
 * the frames are evaluated window by window (`withContextWindows`), so a call never sees more frames than a window.
 */
import type { UNetHandle } from '../models/index.js';
import type { ConditioningValue } from '../nodes/socket-values.js';
import type { ConditionedModel, CondKind, ModelSamplingDiscrete } from '../samplers/index.js';
import { withContextWindows, type ContextOptionsValue, type FrameModel, type SamplingProgress } from '../samplers/context/index.js';
import { PipelineError } from './errors.js';

/** PIA's per-frame condition channels: the affinity mask `[F, h, w]` and the scaled condition latent `[F, 4, h, w]`. */
export interface PiaChannels {
  readonly mask: Float32Array;
  readonly latent: Float32Array;
}

/** Inputs of {@link videoConditionedModel}. */
export interface VideoModelOptions {
  /** The motion U-Net (built with one text per frame). */
  readonly unet: UNetHandle;
  /** The same U-Net with the motion modules turned off, for steps outside the motion model's range. */
  readonly inactive?: UNetHandle;
  /** Whether the motion model acts at `sigma` (ADE's start/end percent); default always. */
  readonly motionActive?: (sigma: number) => boolean;
  readonly modelSampling: ModelSamplingDiscrete;
  /** The latent batch `[F, 4, h, w]`. */
  readonly dims: readonly [number, number, number, number];
  readonly positive: ConditioningValue;
  readonly negative: ConditioningValue;
  readonly pia?: PiaChannels;
  readonly context?: ContextOptionsValue;
  readonly progress: SamplingProgress;
}

/** The text of frame `f` (`[L, D]`): a per-frame conditioning tiles over the frames as ComfyUI repeats a cond batch. */
export function frameText(c: ConditioningValue, f: number): Float32Array {
  if (!c.perFrame) return c.data;
  const per = c.dims[1] * c.dims[2];
  const i = f % c.perFrame.frames;
  return c.perFrame.data.subarray(i * per, (i + 1) * per);
}

function checkPrompts(unet: UNetHandle, positive: ConditioningValue, negative: ConditioningValue): void {
  const width = unet.config.unet.crossAttentionDim;
  for (const [input, c] of [['positive', positive], ['negative', negative]] as const) {
    if (c.dims[2] !== width) {
      throw new PipelineError('shape-mismatch', `${input} is [${c.dims.join(', ')}]; this model's cross-attention takes ${width}-wide embeddings`, { dims: c.dims }, input);
    }
  }
  if (positive.dims[1] !== negative.dims[1]) {
    throw new PipelineError('shape-mismatch', `positive has ${positive.dims[1]} tokens and negative ${negative.dims[1]}`, {}, 'negative');
  }
}

/** The frame model: one U-Net call on `frames` of the video under each conditioning, denoised predictions back. */
function frameModel(options: VideoModelOptions): FrameModel {
  const { modelSampling: ms, positive, negative, pia } = options;
  const [, c, h, w] = options.dims;
  const hw = h * w;
  const [, tokens, width] = positive.dims;
  const perText = tokens * width;
  const cin = c + (pia ? 1 + c : 0);
  return async (x, sigma, conds, frames) => {
    const n = frames.length;
    const k = conds.length;
    const sample = new Float32Array(k * cin * n * hw);
    const text = new Float32Array(k * n * perText);
    const xWindow = new Float32Array(n * c * hw);
    frames.forEach((f, i) => xWindow.set(x.subarray(f * c * hw, (f + 1) * c * hw), i * c * hw));
    const xin = ms.calculateInput(sigma, xWindow);
    conds.forEach((kind: CondKind, j) => {
      const base = j * cin * n * hw;
      frames.forEach((f, i) => {
        for (let ch = 0; ch < c; ch++) sample.set(xin.subarray((i * c + ch) * hw, (i * c + ch + 1) * hw), base + (ch * n + i) * hw);
        if (pia) {
          sample.set(pia.mask.subarray(f * hw, (f + 1) * hw), base + (c * n + i) * hw);
          for (let ch = 0; ch < c; ch++) sample.set(pia.latent.subarray((f * c + ch) * hw, (f * c + ch + 1) * hw), base + ((c + 1 + ch) * n + i) * hw);
        }
        text.set(frameText(kind === 'cond' ? positive : negative, f), (j * n + i) * perText);
      });
    });
    const active = options.motionActive?.(sigma) ?? true;
    const unet = active || !options.inactive ? options.unet : options.inactive;
    const eps = await unet.run({ data: sample, dims: [k, cin, n, h, w] }, ms.timestep(sigma), { data: text, dims: [k * n, tokens, width] });
    return conds.map((_, j) => {
      // [K, 4, n, h, w] → frames first, [n, 4, h, w], as the latent batch is laid out.
      const e = new Float32Array(n * c * hw);
      for (let ch = 0; ch < c; ch++) for (let i = 0; i < n; i++) e.set(eps.data.subarray(((j * c + ch) * n + i) * hw, ((j * c + ch) * n + i + 1) * hw), (i * c + ch) * hw);
      return ms.calculateDenoised(sigma, e, xWindow);
    });
  };
}

/** The motion U-Net over a video latent `[F, 4, h, w]` as a {@link ConditionedModel}. */
export function videoConditionedModel(options: VideoModelOptions): ConditionedModel {
  checkPrompts(options.unet, options.positive, options.negative);
  const frames = options.dims[0];
  const model = frameModel(options);
  if (options.context) return withContextWindows(model, frames, options.context, options.progress, (p) => options.modelSampling.percentToSigma(p));
  const all = Array.from({ length: frames }, (_, i) => i);
  return (x, sigma, conds) => model(x, sigma, conds, all);
}
