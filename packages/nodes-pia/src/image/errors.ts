import { PiaError } from '../errors.js';

/** Why an image could not be read or used. */
export type ImageLoadErrorCode = 'not-found' | 'empty' | 'not-an-image' | 'corrupt' | 'zero-size' | 'too-small' | 'bad-option';

/**
 * An image file (or buffer) that could not be loaded. `file` names it; `details` keeps the decoder's own
 * message (sharp/libvips) when there is one.
 */
export class ImageLoadError extends PiaError<ImageLoadErrorCode, string | undefined> {
  override readonly name = 'ImageLoadError';

  constructor(
    code: ImageLoadErrorCode,
    readonly file: string,
    message: string,
    details?: string,
  ) {
    super(code, message, details);
  }
}

/** Frame data whose shape, length or values do not describe the frames it claims to hold. */
export class FrameDataError extends Error {
  override readonly name = 'FrameDataError';

  constructor(
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}
