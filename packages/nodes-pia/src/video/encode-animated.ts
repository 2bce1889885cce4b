import sharp from 'sharp';
import { VideoWriteError } from './errors.js';
import { frameDelays, type FrameSequence } from './frames.js';
import { insertGifComment } from './gif-comment.js';
import { metadataComment, metadataExif } from './metadata.js';

/** Settings of an animated GIF or WebP. */
export interface AnimatedImageSettings {
  frameRate: number;
  /** Times the animation plays; 0 = forever. */
  loopCount: number;
  /** WebP only: lossless encoding (else lossy at `quality`). */
  lossless: boolean;
  /** WebP only: lossy quality 1–100. */
  quality: number;
  metadata: ReadonlyArray<[string, string]>;
}

/** The frames in `order` stacked vertically into one raw RGB image, each distinct frame converted once. */
function stackFrames(frames: FrameSequence, order: readonly number[]): Buffer {
  const frameBytes = frames.width * frames.height * 3;
  const stack = Buffer.alloc(frameBytes * order.length);
  const firstAt = new Map<number, number>();
  order.forEach((index, position) => {
    const earlier = firstAt.get(index);
    if (earlier === undefined) {
      stack.set(frames.rgb(index), position * frameBytes);
      firstAt.set(index, position);
    } else {
      stack.copy(stack, position * frameBytes, earlier * frameBytes, (earlier + 1) * frameBytes);
    }
  });
  return stack;
}

/**
 * Encodes frames as an animated GIF or WebP with sharp. GIF delays are whole centiseconds, so they alternate to
 * keep the average rate (8 fps: 130, 120 ms…); WebP delays are whole milliseconds. Metadata goes into a GIF Comment
 * Extension (the JSON object form) or the WebP EXIF chunk (ComfyUI's `key:json` strings).
 *
 * GIF keeps every frame, duplicates included. libwebp merges identical consecutive frames into one longer frame
 * (timing is kept, the page count drops), and frames that are all identical become a still, non-animated WebP.
 */
export async function encodeAnimatedImage(
  frames: FrameSequence,
  order: readonly number[],
  kind: 'gif' | 'webp',
  settings: AnimatedImageSettings,
): Promise<Buffer> {
  const { width, height } = frames;
  const image = sharp(stackFrames(frames, order), {
    raw: { width, height: height * order.length, channels: 3, pageHeight: height },
    limitInputPixels: false,
  });
  try {
    if (kind === 'gif') {
      const gif = await image
        .gif({ loop: settings.loopCount, delay: frameDelays(order.length, settings.frameRate, 10), keepDuplicateFrames: true })
        .toBuffer();
      const comment = metadataComment(settings.metadata);
      return comment === undefined ? gif : insertGifComment(gif, comment);
    }
    const webp = image.webp({
      loop: settings.loopCount,
      delay: frameDelays(order.length, settings.frameRate, 1),
      lossless: settings.lossless,
      quality: settings.quality,
    });
    return await (settings.metadata.length > 0 ? webp.withExif({ IFD0: metadataExif(settings.metadata) }) : webp).toBuffer();
  } catch (error) {
    if (error instanceof VideoWriteError) throw error;
    throw new VideoWriteError('encode-failed', `sharp could not encode the ${kind.toUpperCase()} animation`, String((error as Error).message));
  }
}
