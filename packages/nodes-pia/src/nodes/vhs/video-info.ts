/** Video Info (`VHS_VideoInfo`, `VHS_VideoInfoSource`, `VHS_VideoInfoLoaded`): a loaded video's facts as numbers. */
import { defineNode } from '@piagraph/graph-core';
import type { PackContext } from '../pack-context.js';
import { VHS_CATEGORY } from './load-video.js';
import type { VideoInfoValue } from './values.js';

const KEYS = ['fps', 'frame_count', 'duration', 'width', 'height'] as const;
const TYPES = ['FLOAT', 'INT', 'FLOAT', 'INT', 'INT'] as const;

function outputs(mark: string, prefix = '') {
  return KEYS.map((k, i) => ({ type: TYPES[i]!, name: `${prefix}${k}${mark}` }));
}

const pick = (info: VideoInfoValue, side: 'source' | 'loaded') => KEYS.map((k) => info[`${side}_${k}`]);

/** The `VHS_VideoInfo` node. */
export function videoInfoNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_VideoInfo',
    displayName: 'Video Info 🎥🅥🅗🅢',
    category: VHS_CATEGORY,
    inputs: { required: { video_info: { type: 'VHS_VIDEOINFO' } } },
    outputs: [...outputs('🟨', 'source_'), ...outputs('🟦', 'loaded_')] as { type: 'FLOAT' | 'INT'; name: string }[],
    run({ video_info }) {
      return { outputs: [...pick(video_info, 'source'), ...pick(video_info, 'loaded')] };
    },
  });
}

/** The `VHS_VideoInfoSource` node. */
export function videoInfoSourceNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_VideoInfoSource',
    displayName: 'Video Info (Source) 🎥🅥🅗🅢',
    category: VHS_CATEGORY,
    inputs: { required: { video_info: { type: 'VHS_VIDEOINFO' } } },
    outputs: outputs('🟨') as { type: 'FLOAT' | 'INT'; name: string }[],
    run({ video_info }) {
      return { outputs: pick(video_info, 'source') };
    },
  });
}

/** The `VHS_VideoInfoLoaded` node. */
export function videoInfoLoadedNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_VideoInfoLoaded',
    displayName: 'Video Info (Loaded) 🎥🅥🅗🅢',
    category: VHS_CATEGORY,
    inputs: { required: { video_info: { type: 'VHS_VIDEOINFO' } } },
    outputs: outputs('🟦') as { type: 'FLOAT' | 'INT'; name: string }[],
    run({ video_info }) {
      return { outputs: pick(video_info, 'loaded') };
    },
  });
}
