/**
 * Video Combine with a meta batch: each pass appends its chunk of frames to one video kept open in the batch, and
 * the last pass (the loaders ran out) finishes the file. Earlier passes report no file, since there is none yet.
 */
import type { RunContext } from '@piagraph/graph-core';
import { ChunkedVideoSave } from '../../video/save-video-chunks.js';
import type { SavedVideo, SaveVideoOptions } from '../../video/save-video.js';
import type { ImageValue } from '../socket-values.js';
import { metaBatchPasses, type MetaBatch } from './meta-batch.js';

/** Appends `images` to the video this node writes for `batch`; the saved video once the last chunk is in, else undefined. */
export async function appendChunk(batch: MetaBatch, images: ImageValue, options: SaveVideoOptions, ctx: RunContext): Promise<SavedVideo | undefined> {
  const pass = metaBatchPasses(ctx).index;
  const last = batch.isLastPass(pass);
  let video = batch.sink<ChunkedVideoSave>(ctx.nodeId);
  if (!video) {
    const [, , height, width] = images.dims;
    video = await ChunkedVideoSave.open(options, width, height);
    batch.keepSink(ctx.nodeId, video);
  }
  await video.append(images);
  ctx.text(`batch ${pass + 1}: ${video.frameCount} frames written${last ? '' : ', more to come'}`);
  if (!last) return undefined;
  batch.dropSink(ctx.nodeId);
  return video.finish();
}
