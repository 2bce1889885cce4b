/** Load VAE (ComfyUI's `VAELoader`): a standalone VAE file from models/vae → VAE. */
import { join } from 'node:path';
import { defineNode } from '@piagraph/graph-core';
import { openVaeFile } from '../../checkpoints/vae-file.js';
import { fileStamp } from '../../pipeline/model-folders.js';
import type { PackContext } from '../pack-context.js';
import { MODEL_HANDLE_BYTES } from '../socket-values.js';

/** The `VAELoader` node. */
export function vaeLoaderNode(pack: PackContext) {
  return defineNode({
    classType: 'VAELoader',
    displayName: 'Load VAE',
    category: 'loaders',
    description: 'Loads a standalone VAE (models/vae, e.g. vae-ft-mse-840000-ema-pruned.safetensors) to use instead of the checkpoint\'s.',
    inputs: {
      required: {
        vae_name: { type: 'COMBO', options: () => pack.vaeFiles() },
      },
    },
    outputs: [{ type: 'VAE' }],
    async fingerprint(literals) {
      const name = String(literals['vae_name']);
      await pack.prepareModels('vae', name);
      return fileStamp(join(pack.settings.modelsDir, 'vae', name));
    },
    async run({ vae_name }) {
      const file = await pack.store.file('vae', vae_name, 'vae_name');
      // Bound now, not when decoding: a file that is not a VAE fails here, naming this node's input.
      const source = await openVaeFile(file.path);
      await source.close();
      return { outputs: [{ kind: 'vae', source: 'vae-file', file, config: source.config }], sizeBytes: MODEL_HANDLE_BYTES };
    },
  });
}
