/** The values VideoHelperSuite's nodes exchange besides IMAGE and MASK. */
import type { MetaBatch } from './meta-batch.js';

/** VHS_VIDEOINFO: the source video's facts and those of the frames loaded from it. */
export interface VideoInfoValue {
  readonly source_fps: number;
  readonly source_frame_count: number;
  readonly source_duration: number;
  readonly source_width: number;
  readonly source_height: number;
  readonly loaded_fps: number;
  readonly loaded_frame_count: number;
  readonly loaded_duration: number;
  readonly loaded_width: number;
  readonly loaded_height: number;
}

/** AUDIO from a loaded video: where its sound is, read when something needs it (no piagraph node does yet). */
export interface AudioFileValue {
  readonly kind: 'audio-file';
  readonly path: string;
  /** Seconds into the file where the loaded frames start, and their length (0: to the end). */
  readonly start: number;
  readonly duration: number;
}

/** VHS_BatchManager: the meta batch of a run, shared by its loaders and Video Combine (see `meta-batch.ts`). */
export type BatchManagerValue = MetaBatch;

declare module '@piagraph/graph-core' {
  interface SocketValueMap {
    VHS_VIDEOINFO: VideoInfoValue;
    AUDIO: AudioFileValue;
    VHS_BatchManager: BatchManagerValue;
  }
}
