/** Load Checkpoint (PIA): an SD 1.5 checkpoint plus PIA's motion/condition modules → MODEL, CLIP, VAE. */
import { join } from 'node:path';
import { defineNode } from '@piagraph/graph-core';
import { fileStamp } from '../pipeline/model-folders.js';
import type { PackContext } from './pack-context.js';
import { MODEL_HANDLE_BYTES } from './socket-values.js';

/** The `PIACheckpointLoader` node bound to a pack instance. */
export function loadCheckpointNode(pack: PackContext) {
  return defineNode({
    classType: 'PIACheckpointLoader',
    displayName: 'Load Checkpoint (PIA)',
    category: 'pia/loaders',
    description:
      'Loads a Stable Diffusion 1.5 checkpoint (models/checkpoints: LDM .safetensors/.ckpt or a diffusers folder) with ' +
      "PIA's motion modules and 9-channel conv_in (models/pia). Loaded once per pair and shared; built graphs are cached on disk.",
    inputs: {
      required: {
        ckpt_name: { type: 'COMBO', options: () => pack.checkpoints(), tooltip: 'SD 1.5 checkpoint in models/checkpoints.' },
        pia_name: { type: 'COMBO', options: () => pack.piaFiles(), tooltip: 'pia.ckpt or a PIA-condition-adapter folder in models/pia.' },
      },
    },
    outputs: [
      { type: 'MODEL', tooltip: 'The PIA U-Net.' },
      { type: 'CLIP', tooltip: 'Tokenizer and text encoder.' },
      { type: 'VAE', tooltip: 'Image encoder and decoder.' },
    ],
    // A replaced file under the same name makes a new recipe (its stamp is part of it), so the loader runs again.
    async fingerprint(literals) {
      const ckpt = String(literals['ckpt_name']);
      const pia = String(literals['pia_name']);
      // The demo files are written on first use; stamping them before they exist would change the key once they do.
      await pack.prepareModels('checkpoints', ckpt);
      await pack.prepareModels('pia', pia);
      return [fileStamp(join(pack.settings.modelsDir, 'checkpoints', ckpt)), fileStamp(join(pack.settings.modelsDir, 'pia', pia))].join('|');
    },
    async run({ ckpt_name, pia_name }) {
      const recipes = await pack.checkpointRecipes(ckpt_name, pia_name);
      return { outputs: [recipes.model, recipes.clip, recipes.vae], sizeBytes: 3 * MODEL_HANDLE_BYTES };
    },
  });
}
