import { PiaError } from '../errors.js';

/** Why a video could not be written. */
export type VideoWriteErrorCode =
  | 'no-frames'
  | 'bad-frames'
  | 'bad-option'
  | 'bad-metadata'
  | 'output-path'
  | 'ffmpeg-missing'
  | 'encoder-missing'
  | 'ffmpeg-failed'
  | 'encode-failed';

/** A video or image sequence that could not be written; `details` keeps the encoder's own output when there is one. */
export class VideoWriteError extends PiaError<VideoWriteErrorCode, string | undefined> {
  override readonly name = 'VideoWriteError';

  constructor(code: VideoWriteErrorCode, message: string, details?: string) {
    super(code, message, details);
  }
}
