/** VAE Decode: LATENT → IMAGE frames `[F, 3, H, W]` in [0, 1], decoded a few frames at a time. */
import { defineNode } from '@piagraph/graph-core';
import { decodeLatentBatch } from '../pipeline/decode.js';
import type { PackContext } from './pack-context.js';

/** The `VAEDecode` node (ComfyUI's name and input names). */
export function vaeDecodeNode(pack: PackContext) {
  return defineNode({
    classType: 'VAEDecode',
    displayName: 'VAE Decode',
    category: 'latent',
    description: 'Decodes a latent batch (an image batch, or the frames of a video) to images: ÷0.18215, decode, (x/2 + 0.5) clamped to [0, 1].',
    inputs: {
      required: {
        samples: { type: 'LATENT' },
        vae: { type: 'VAE' },
      },
      optional: {
        chunk_size: { type: 'INT', default: 4, min: 1, max: 64, tooltip: 'Images per decoder call: fewer use less memory (PIA decodes one at a time).' },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    async run({ samples, vae, chunk_size }, ctx) {
      const decoder = await pack.store.vae(vae);
      const decoded = await decodeLatentBatch(decoder, samples, chunk_size ?? 4);
      ctx.progress(samples.dims[0], samples.dims[0]);
      return { outputs: [decoded], sizeBytes: decoded.data.byteLength };
    },
  });
}
