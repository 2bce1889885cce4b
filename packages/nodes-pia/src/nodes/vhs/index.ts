/** VideoHelperSuite's loaders, batch utilities and Meta Batch Manager (`VHS_*`), with VHS's class names, inputs and outputs. */
import type { AnyNodeDefinition } from '@piagraph/graph-core';
import type { PackContext } from '../pack-context.js';
import { batchManagerNode } from './batch-manager.js';
import { duplicateImagesNode, getImageCountNode, mergeImagesNode, selectEveryNthImageNode, selectImagesNode, splitImagesNode } from './batch.js';
import { loadImagesNode, loadImagesPathNode } from './load-images.js';
import { loadVideoNode, loadVideoPathNode } from './load-video.js';
import { videoInfoLoadedNode, videoInfoNode, videoInfoSourceNode } from './video-info.js';
import './values.js';

/** The VHS nodes bound to a pack instance (`VHS_VideoCombine` is Save Video under VHS's name, registered with it). */
export function vhsNodes(pack: PackContext): AnyNodeDefinition[] {
  return [
    loadVideoNode(pack),
    loadVideoPathNode(pack),
    loadImagesNode(pack),
    loadImagesPathNode(pack),
    videoInfoNode(pack),
    videoInfoSourceNode(pack),
    videoInfoLoadedNode(pack),
    splitImagesNode(pack),
    mergeImagesNode(pack),
    selectEveryNthImageNode(pack),
    getImageCountNode(pack),
    duplicateImagesNode(pack),
    selectImagesNode(pack),
    batchManagerNode(pack),
  ];
}
