/** CLIP Set Last Layer (ComfyUI's `CLIPSetLastLayer`): clip skip as a negative layer index. */
import { defineNode } from '@piagraph/graph-core';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import { MODEL_HANDLE_BYTES } from '../socket-values.js';

/** The `CLIPSetLastLayer` node. */
export function clipSetLastLayerNode(_pack: PackContext) {
  return defineNode({
    classType: 'CLIPSetLastLayer',
    displayName: 'CLIP Set Last Layer',
    category: 'conditioning',
    description: 'Stops the text encoder at an earlier layer: −1 is the last (no skip), −2 is "clip skip 2" as many anime checkpoints expect.',
    inputs: {
      required: {
        clip: { type: 'CLIP' },
        stop_at_clip_layer: { type: 'INT', default: -1, min: -24, max: -1, step: 1 },
      },
    },
    outputs: [{ type: 'CLIP' }],
    run({ clip, stop_at_clip_layer }) {
      const clipSkip = -stop_at_clip_layer - 1;
      if (clipSkip >= clip.config.clip.layers) {
        throw new PipelineError(
          'bad-option',
          `stop_at_clip_layer ${stop_at_clip_layer} is beyond the text encoder's ${clip.config.clip.layers} layers`,
          { layers: clip.config.clip.layers },
          'stop_at_clip_layer',
        );
      }
      return { outputs: [{ ...clip, clipSkip }], sizeBytes: MODEL_HANDLE_BYTES };
    },
  });
}
