/**
 * PIA Condition: IMAGE + VAE + AFFINITY → PIA_CONDITION, pia-model.md §1.2 steps 4–6: the image sized (PIA's
 * long-edge rule or an exact crop), VAE-encoded, ×0.18215, given to every frame with the per-frame mask.
 */
import { defineNode } from '@piagraph/graph-core';
import { encodeConditionLatent, prepareConditionPixels, type SizePolicy } from '../pipeline/condition-image.js';
import { imageSizeMultiple, PIA_SIZE_MULTIPLE } from '../pipeline/sizes.js';
import type { PackContext } from './pack-context.js';

const SIZE_POLICIES = ['pia', 'crop'] as const;

/** The `PIACondition` node. */
export function piaConditionNode(pack: PackContext) {
  return defineNode({
    classType: 'PIACondition',
    displayName: 'PIA Condition',
    category: 'pia/conditioning',
    description:
      'Encodes the input image with the VAE (posterior sample from seed, or its mean) and pairs it with the affinity ' +
      'schedule. Size: "pia" keeps the aspect ratio with the long edge at most long_edge (PIA: 512) and floors each side ' +
      'to a multiple of 8, as PIA does; "crop" scales and centre-crops to width × height (multiples of 8).',
    inputs: {
      required: {
        image: { type: 'IMAGE' },
        vae: { type: 'VAE' },
        affinity: { type: 'AFFINITY' },
        size_policy: { type: 'COMBO', options: SIZE_POLICIES, default: 'pia' },
        long_edge: { type: 'INT', default: 512, min: 16, max: 2048, step: 8, tooltip: 'For "pia": the longest side (PIA uses 512).' },
        width: { type: 'INT', default: 512, min: 16, max: 2048, step: 8, tooltip: 'For "crop": output width, a multiple of 8.' },
        height: { type: 'INT', default: 512, min: 16, max: 2048, step: 8, tooltip: 'For "crop": output height, a multiple of 8.' },
        seed: { type: 'INT', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, control_after_generate: true, tooltip: 'Seed of the VAE posterior sample.' },
        use_mean: { type: 'BOOLEAN', default: false, label_on: 'mean', label_off: 'sample', tooltip: 'Use the posterior mean (deterministic) instead of a sample (PIA).' },
      },
    },
    outputs: [{ type: 'PIA_CONDITION' }],
    validate(literals) {
      if (literals['size_policy'] !== 'crop') return [];
      return (['width', 'height'] as const)
        .filter((name) => Number(literals[name]) % PIA_SIZE_MULTIPLE !== 0)
        .map((name) => ({
          input: name,
          message: `${name} must be a multiple of ${PIA_SIZE_MULTIPLE} (the VAE downsamples ${PIA_SIZE_MULTIPLE}×), got ${String(literals[name])}`,
        }));
    },
    async run(inputs) {
      const vae = await pack.store.vae(inputs.vae);
      const multiple = imageSizeMultiple(inputs.vae.config);
      const policy: SizePolicy =
        inputs.size_policy === 'crop' ? { mode: 'crop', width: inputs.width, height: inputs.height } : { mode: 'pia', longEdge: inputs.long_edge };
      const pixels = await prepareConditionPixels(inputs.image, policy, multiple);
      const encoded = await encodeConditionLatent(vae, pixels, { mode: inputs.use_mean ? 'mean' : 'sample', seed: inputs.seed });
      return {
        outputs: [
          {
            latent: encoded.latent,
            latentDims: encoded.dims,
            mask: inputs.affinity.values,
            condFrame: inputs.affinity.condFrame,
            width: pixels.width,
            height: pixels.height,
          },
        ],
        sizeBytes: encoded.latent.byteLength,
      };
    },
  });
}
