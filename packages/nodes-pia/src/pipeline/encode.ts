/**
 * IMAGE batch → LATENT batch as ComfyUI's VAE Encode does it: each side cropped to a multiple of the VAE's
 * downscale factor (centred: `(side % 8) / 2` pixels off the start), values to [−1, 1], the posterior mean scaled
 * by the VAE's factor (0.18215), a few images per encoder call so memory stays bounded.
 */
import { vaeScaleFactor, type VaeHandle } from '../models/index.js';
import type { ImageValue, LatentValue } from '../nodes/socket-values.js';
import { PipelineError } from './errors.js';

/** Images per encoder call. */
const ENCODE_CHUNK = 4;

/** Centre-crops each side of `[N, 3, H, W]` to a multiple of `multiple` and maps [0, 1] to [−1, 1]. */
export function cropForVae(image: ImageValue, multiple: number): { data: Float32Array; dims: [number, 3, number, number] } {
  const [n, c, h, w] = image.dims;
  const ch = Math.floor(h / multiple) * multiple;
  const cw = Math.floor(w / multiple) * multiple;
  if (ch === 0 || cw === 0) {
    throw new PipelineError('shape-mismatch', `a ${w}×${h} image is smaller than the VAE's ${multiple}×${multiple} block`, { width: w, height: h }, 'pixels');
  }
  const y0 = Math.floor((h % multiple) / 2);
  const x0 = Math.floor((w % multiple) / 2);
  const out = new Float32Array(n * c * ch * cw);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < ch; y++) {
      const src = p * h * w + (y + y0) * w + x0;
      const dst = p * ch * cw + y * cw;
      for (let x = 0; x < cw; x++) out[dst + x] = image.data[src + x]! * 2 - 1;
    }
  }
  return { data: out, dims: [n, 3, ch, cw] };
}

/** Encodes an image batch to a scaled latent batch `[N, 4, H/8, W/8]`. */
export async function encodeImageBatch(vae: VaeHandle, image: ImageValue): Promise<LatentValue> {
  const factor = vaeScaleFactor(vae.config.vae);
  const pixels = cropForVae(image, factor);
  const [n, , h, w] = pixels.dims;
  const perImage = 3 * h * w;
  const latentChannels = vae.config.vae.latentChannels;
  const perLatent = latentChannels * (h / factor) * (w / factor);
  const samples = new Float32Array(n * perLatent);
  const scale = vae.config.vae.scalingFactor;
  for (let start = 0; start < n; start += ENCODE_CHUNK) {
    const count = Math.min(ENCODE_CHUNK, n - start);
    const { mean } = await vae.encode({ data: pixels.data.slice(start * perImage, (start + count) * perImage), dims: [count, 3, h, w] });
    for (let i = 0; i < mean.data.length; i++) samples[start * perLatent + i] = mean.data[i]! * scale;
  }
  return { samples, dims: [n, latentChannels, h / factor, w / factor] };
}
