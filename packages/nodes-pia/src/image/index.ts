/** Image loading for PIA's condition image, and float frames back to RGB bytes. */
export { FrameDataError, ImageLoadError, type ImageLoadErrorCode } from './errors.js';
export {
  loadImage,
  loadImageRgb,
  probeImage,
  type ImageProbe,
  type ImageSource,
  type LoadedImage,
  type LoadImageOptions,
  type ResizeKernel,
  type RgbImage,
} from './load-image.js';
export {
  checkFloatFrames,
  floatFrameToRgb8,
  floatFramesToRgb8,
  rgb8ToChw,
  type FloatFrames,
  type PixelRange,
} from './pixels.js';
export { piaTargetSize, planResize, type ResizeMode, type ResizePlan } from './resize-plan.js';
export { insertPngTextChunks, type PngTextEntry } from './png-text.js';
