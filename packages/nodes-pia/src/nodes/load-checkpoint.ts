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
    // A replaced file under the same name re-runs the loader (and the store loads the new file); so does a release
    // of the store's sessions, which the MODEL, CLIP and VAE of an earlier run point at.
    async fingerprint(literals) {
      const ckpt = String(literals['ckpt_name']);
      const pia = String(literals['pia_name']);
      // The demo files are written on first use; stamping them before they exist would change the key once they do.
      await pack.prepareModels(ckpt, pia);
      const stamps = [fileStamp(join(pack.settings.modelsDir, 'checkpoints', ckpt)), fileStamp(join(pack.settings.modelsDir, 'pia', pia))];
      return [...stamps, `release ${pack.store.generation}`].join('|');
    },
    async run({ ckpt_name, pia_name }, ctx) {
      ctx.text(`loading ${ckpt_name} + ${pia_name}`);
      const loaded = await pack.store.get(ckpt_name, pia_name);
      const { models, tokenizer, key } = loaded;
      if (loaded.seconds > 0) ctx.text(`loaded in ${loaded.seconds.toFixed(1)} s`);
      return {
        outputs: [
          { kind: 'pia-model', key, unet: models.unet!, config: models.config, checkpointName: ckpt_name, piaName: pia_name },
          { kind: 'clip', key, tokenizer, encoder: models.clip! },
          { kind: 'vae', key, vae: models.vae!, config: models.config },
        ],
        sizeBytes: 3 * MODEL_HANDLE_BYTES,
      };
    },
  });
}
