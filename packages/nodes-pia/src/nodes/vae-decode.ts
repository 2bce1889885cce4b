/** VAE Decode: LATENT → IMAGE frames `[F, 3, H, W]` in [0, 1], decoded a few frames at a time. */
import { defineNode } from '@piagraph/graph-core';
import { decodeVideoLatent } from '../pipeline/decode.js';
import type { PackContext } from './pack-context.js';

/** The `VAEDecode` node (ComfyUI's name and input names). */
export function vaeDecodeNode(_pack: PackContext) {
  return defineNode({
    classType: 'VAEDecode',
    displayName: 'VAE Decode',
    category: 'pia/latent',
    description: 'Decodes every frame of a video latent (÷0.18215, then (x/2 + 0.5) clamped to [0, 1]).',
    inputs: {
      required: {
        samples: { type: 'LATENT' },
        vae: { type: 'VAE' },
      },
      optional: {
        chunk_size: { type: 'INT', default: 4, min: 1, max: 32, tooltip: 'Frames per decoder call: fewer use less memory (PIA decodes one at a time).' },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    async run({ samples, vae, chunk_size }, ctx) {
      const frames = samples.dims[2];
      const chunk = chunk_size ?? 4;
      const decoded = await decodeVideoLatent(vae.vae, samples.samples, samples.dims, chunk);
      ctx.progress(frames, frames);
      return { outputs: [decoded], sizeBytes: decoded.data.byteLength };
    },
  });
}
