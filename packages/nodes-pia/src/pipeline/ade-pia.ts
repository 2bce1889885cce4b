/**
 * PIA's condition channels as AnimateDiff-Evolved builds them for `ADE_ApplyAnimateDiffModelWithPIA`
 * (`get_pia_c_concat`): the first F images of the IMAGE batch, resized to the latent's pixel size (bilinear, centre
 * crop: ComfyUI's `common_upscale`), VAE-encoded (posterior mean × 0.18215, as ComfyUI encodes), the last one repeated
 * up to F frames; the mask is the PIA input's value of each frame over the whole frame.
 */
import { resampleBatch } from '../image/resample.js';
import type { VaeHandle } from '../models/index.js';
import { vaeScaleFactor } from '../models/config.js';
import { piaInputValues } from '../motion/pia-presets.js';
import type { AdePiaInput } from '../motion/settings.js';
import { encodeImageBatch } from './encode.js';
import type { PiaChannels } from './video-model.js';

/** The mask and condition latent of `frames` frames of an `h × w` latent. */
export async function adePiaChannels(vae: VaeHandle, input: AdePiaInput, frames: number, h: number, w: number): Promise<PiaChannels> {
  const factor = vaeScaleFactor(vae.config.vae);
  const [n, , ih, iw] = input.image.dims;
  const used = Math.min(n, frames);
  const plane = ih * iw;
  const images = { data: input.image.data.subarray(0, used * 3 * plane), dims: [used, 3, ih, iw] as [number, number, number, number] };
  const sized = resampleBatch(images, w * factor, h * factor, 'bilinear', 'center');
  const encoded = await encodeImageBatch(vae, { data: sized.data, dims: [used, 3, h * factor, w * factor] });
  const perFrame = encoded.samples.length / used;
  const latent = new Float32Array(frames * perFrame);
  for (let f = 0; f < frames; f++) latent.set(encoded.samples.subarray(Math.min(f, used - 1) * perFrame, (Math.min(f, used - 1) + 1) * perFrame), f * perFrame);
  const values = piaInputValues(input.input, frames);
  const mask = new Float32Array(frames * h * w);
  values.forEach((v, f) => mask.fill(v, f * h * w, (f + 1) * h * w));
  return { mask, latent };
}
