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
export class VideoWriteError extends Error {
  override readonly name = 'VideoWriteError';

  constructor(
    readonly code: VideoWriteErrorCode,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}
