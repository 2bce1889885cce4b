/**
 * PIA's conditioning tensors as pure functions over flat float32 arrays (pia-model.md §1.2 steps 5–8): the per-frame
 * mask, the condition latent copied to every frame, the 9-channel U-Net input in the order
 * [4 noisy latent | 1 mask | 4 condition latent] with the unconditional half first, and classifier-free guidance.
 */
import { PipelineError } from './errors.js';

/** Sizes of a video latent `[1, C, F, h, w]`. */
export interface LatentShape {
  readonly channels: number;
  readonly frames: number;
  readonly height: number;
  readonly width: number;
}

function checkLength(what: string, data: ArrayLike<number>, expected: number): void {
  if (data.length !== expected) {
    throw new PipelineError('shape-mismatch', `${what} holds ${data.length} values, expected ${expected}`, { what, length: data.length, expected });
  }
}

/**
 * The U-Net's input `[batch, C + 1 + C, F, h, w]`: each batch entry gets the same noisy latent, the mask plane of
 * frame f filled with `mask[f]`, and the condition latent `[1, C, h, w]` on every frame (PIA gives all frames the
 * scaled image latent, not only the condition frame; the unconditional half gets the same mask and latent).
 */
export function assembleUNetInput(
  latents: Float32Array,
  mask: readonly number[],
  conditionLatent: Float32Array,
  shape: LatentShape,
  batch: number,
): Float32Array {
  const { channels: c, frames: f, height: h, width: w } = shape;
  const plane = h * w;
  checkLength('latents', latents, c * f * plane);
  checkLength('condition latent', conditionLatent, c * plane);
  if (mask.length !== f) {
    throw new PipelineError('frame-mismatch', `the mask has ${mask.length} frames but the latent has ${f}`, { mask: mask.length, frames: f });
  }
  const inChannels = 2 * c + 1;
  const perSample = inChannels * f * plane;
  const out = new Float32Array(batch * perSample);
  const first = out.subarray(0, perSample);
  first.set(latents, 0);
  const maskBase = c * f * plane;
  for (let frame = 0; frame < f; frame++) first.fill(mask[frame]!, maskBase + frame * plane, maskBase + (frame + 1) * plane);
  for (let ch = 0; ch < c; ch++) {
    const source = conditionLatent.subarray(ch * plane, (ch + 1) * plane);
    for (let frame = 0; frame < f; frame++) first.set(source, ((c + 1 + ch) * f + frame) * plane);
  }
  for (let b = 1; b < batch; b++) out.set(first, b * perSample);
  return out;
}

/** The condition latent on every frame, `[1, C, F, h, w]`: the img2img start PIA's `strength < 1` noises. */
export function conditionOnEveryFrame(conditionLatent: Float32Array, shape: LatentShape): Float32Array {
  const { channels: c, frames: f, height: h, width: w } = shape;
  const plane = h * w;
  checkLength('condition latent', conditionLatent, c * plane);
  const out = new Float32Array(c * f * plane);
  for (let ch = 0; ch < c; ch++) {
    const source = conditionLatent.subarray(ch * plane, (ch + 1) * plane);
    for (let frame = 0; frame < f; frame++) out.set(source, (ch * f + frame) * plane);
  }
  return out;
}

/** Classifier-free guidance over a batch of two predictions (unconditional first): `u + g·(c − u)`. */
export function applyGuidance(prediction: Float32Array, scale: number): Float32Array {
  if (prediction.length % 2 !== 0) {
    throw new PipelineError('shape-mismatch', `a guided prediction needs two equal halves, got ${prediction.length} values`);
  }
  const half = prediction.length / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const u = prediction[i]!;
    out[i] = u + scale * (prediction[half + i]! - u);
  }
  return out;
}

/** Text embeddings `[n, L, D]` from `[1, L, D]` ones, in the given order (negative first for guidance). */
export function stackEmbeddings(embeddings: readonly Float32Array[]): Float32Array {
  const first = embeddings[0];
  if (!first) throw new PipelineError('shape-mismatch', 'no text embeddings to stack');
  const out = new Float32Array(first.length * embeddings.length);
  embeddings.forEach((e, i) => {
    checkLength(`text embedding ${i}`, e, first.length);
    out.set(e, i * first.length);
  });
  return out;
}

/**
 * DDIM's estimate of the clean latent at timestep t, `x0 = (x − √(1−ᾱ)·ε) / √ᾱ`: what the preview shows, since
 * x_t itself is mostly noise during the first steps.
 */
export function predictOriginal(sample: Float32Array, noise: Float32Array, alphaProd: number): Float32Array {
  checkLength('noise', noise, sample.length);
  const a = Math.sqrt(alphaProd);
  const b = Math.sqrt(1 - alphaProd);
  const out = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) out[i] = (sample[i]! - b * noise[i]!) / a;
  return out;
}
