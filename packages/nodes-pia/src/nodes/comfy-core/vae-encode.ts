/** VAE Encode (ComfyUI's `VAEEncode`): IMAGE → LATENT, the posterior mean, as ComfyUI encodes. */
import { defineNode } from '@piagraph/graph-core';
import { encodeImageBatch } from '../../pipeline/encode.js';
import type { PackContext } from '../pack-context.js';

/** The `VAEEncode` node. */
export function vaeEncodeNode(pack: PackContext) {
  return defineNode({
    classType: 'VAEEncode',
    displayName: 'VAE Encode',
    category: 'latent',
    description:
      'Encodes images (or video frames) to latents: sides not a multiple of 8 are centre-cropped to one, as ComfyUI does; the posterior mean is taken.',
    inputs: {
      required: {
        pixels: { type: 'IMAGE' },
        vae: { type: 'VAE' },
      },
    },
    outputs: [{ type: 'LATENT' }],
    async run({ pixels, vae }, ctx) {
      const latent = await encodeImageBatch(await pack.store.vae(vae), pixels);
      ctx.progress(pixels.dims[0], pixels.dims[0]);
      return { outputs: [latent], sizeBytes: latent.samples.byteLength };
    },
  });
}
