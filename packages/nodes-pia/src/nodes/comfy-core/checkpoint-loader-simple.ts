/** Load Checkpoint (ComfyUI's `CheckpointLoaderSimple`): an SD 1.5 checkpoint → MODEL, CLIP, VAE recipes. */
import { join } from 'node:path';
import { defineNode } from '@piagraph/graph-core';
import { fileStamp } from '../../pipeline/model-folders.js';
import type { PackContext } from '../pack-context.js';
import { MODEL_HANDLE_BYTES } from '../socket-values.js';

/** The `CheckpointLoaderSimple` node. */
export function checkpointLoaderSimpleNode(pack: PackContext) {
  return defineNode({
    classType: 'CheckpointLoaderSimple',
    displayName: 'Load Checkpoint',
    category: 'loaders',
    description:
      'Loads a Stable Diffusion 1.5 checkpoint from models/checkpoints (LDM .safetensors/.ckpt in fp32 or fp16, or a diffusers ' +
      'folder). Nothing is read until a sampler or encoder needs it; built graphs are cached on disk.',
    inputs: {
      required: {
        ckpt_name: { type: 'COMBO', options: () => pack.checkpoints(), tooltip: 'The name of the checkpoint (model) to load.' },
      },
    },
    outputs: [
      { type: 'MODEL', tooltip: 'The model used for denoising latents.' },
      { type: 'CLIP', tooltip: 'The CLIP model used for encoding text prompts.' },
      { type: 'VAE', tooltip: 'The VAE model used for encoding and decoding images to and from latent space.' },
    ],
    async fingerprint(literals) {
      const name = String(literals['ckpt_name']);
      // The demo files are written on first use; stamping them before they exist would change the key once they do.
      await pack.prepareModels('checkpoints', name);
      return fileStamp(join(pack.settings.modelsDir, 'checkpoints', name));
    },
    async run({ ckpt_name }) {
      const recipes = await pack.checkpointRecipes(ckpt_name);
      return { outputs: [recipes.model, recipes.clip, recipes.vae], sizeBytes: 3 * MODEL_HANDLE_BYTES };
    },
  });
}
