/**
 * Meta Batch Manager (`VHS_BatchManager`): splits the processing of a long video into chunks of `frames_per_batch`
 * frames, one pass of the graph each (see `meta-batch.ts`). Connect its `meta_batch` to the loaders and to Video
 * Combine.
 */
import { defineNode } from '@piagraph/graph-core';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import { VHS_CATEGORY } from './load-video.js';
import { MetaBatch, metaBatchPasses } from './meta-batch.js';

/** The `VHS_BatchManager` node. */
export function batchManagerNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_BatchManager',
    displayName: 'Meta Batch Manager 🎥🅥🅗🅢',
    category: VHS_CATEGORY,
    description:
      'Processes a long video frames_per_batch frames at a time: the graph runs once per chunk, the loaders on this ' +
      'manager give the next frames each time and Video Combine appends them to one file. Memory holds one chunk.',
    // Never from the cache, so the loaders after it and everything downstream of them run again every pass.
    cache: 'never',
    inputs: {
      required: {
        frames_per_batch: { type: 'INT', default: 16, min: 1, max: Number.MAX_SAFE_INTEGER, step: 1, tooltip: 'Frames processed per run of the graph.' },
      },
    },
    outputs: [{ type: 'VHS_BatchManager', name: 'meta_batch' }],
    run({ frames_per_batch: perBatch }, ctx) {
      if (!Number.isSafeInteger(perBatch) || perBatch < 1) {
        throw new PipelineError('bad-option', `frames_per_batch must be a whole number of at least 1, got ${perBatch}`, {}, 'frames_per_batch');
      }
      const passes = metaBatchPasses(ctx);
      const batch = passes.keep(`vhs-meta-batch:${ctx.nodeId}`, () => new MetaBatch(perBatch, ctx.nodeId), (b, status) => b.close(status));
      ctx.text(`batch ${passes.index + 1}`);
      return { outputs: [batch] };
    },
  });
}
