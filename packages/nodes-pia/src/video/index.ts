/** Writing frames as GIF, WebP, MP4, WebM or PNG sequences, with the graph embedded as metadata. */
export { VideoWriteError, type VideoWriteErrorCode } from './errors.js';
export { availableVideoFormats, detectFfmpeg, resolveFfmpegPath, type FfmpegInfo } from './ffmpeg.js';
export { VIDEO_FORMATS, videoFormatInfo, type VideoFormat, type VideoFormatInfo } from './formats.js';
export { frameDelays, frameOrder, padToEven, toFrameSequence, type FrameSequence, type Rgb8Frames, type VideoFrames } from './frames.js';
export { insertGifComment } from './gif-comment.js';
export { asciiJson, metadataComment, metadataEntries, type OutputMetadata } from './metadata.js';
export { encodePngFrame } from './encode-png.js';
export {
  MAX_PREFIX_BASE_BYTES,
  MAX_PREFIX_BYTES,
  nextCounter,
  outputFilename,
  outputPrefixProblem,
  reserveOutputFiles,
  resolveOutputPrefix,
  type OutputPrefix,
  type ReservedOutput,
} from './output-path.js';
export { ChunkedVideoSave } from './save-video-chunks.js';
export {
  checkEncodeOptions,
  saveVideo,
  writeVideo,
  type EncodeVideoOptions,
  type SavedVideo,
  type SaveVideoOptions,
  type VideoOutput,
} from './save-video.js';
