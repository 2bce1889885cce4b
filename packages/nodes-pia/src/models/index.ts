/** PIA U-Net, VAE and CLIP text encoder: configs, ONNX graph builders, cached builds and ready sessions. */
export * from './config.js';
export { type LazyTensor, type ModelWeights, type Precision, type Builder, Params, MissingWeightError, weightsFromArrays } from './tensors.js';
export { buildUNet, timeEmbedding, timestepFrequencies, unetVariantOf, UNET_IO, type BuildOptions, type UNetVariant } from './unet.js';
export { buildVaeEncoder, buildVaeDecoder, VAE_IO } from './vae.js';
export { buildClipTextEncoder, CLIP_IO, type ClipBuildOptions } from './clip.js';
export { positionEncoding } from './motion-module.js';
export { MODEL_BUILDER_VERSION, buildCached, cacheKey, fingerprintFile, type CachedGraph, type CacheKeyParts } from './cache.js';
export { ClipHandle, UNetHandle, VaeHandle, ModelInputError, type FloatTensor, type EncodeLatentOptions, type DecodeOptions } from './handles.js';
export {
  loadPiaModels,
  loadUNet,
  loadVae,
  loadClip,
  unetGraph,
  clipGraph,
  sessionOptionsOf,
  type UNetGraph,
  sdConfigOf,
  sessionSettings,
  checkDevice,
  resolveSessionSettings,
  defaultCacheDir,
  type LoadPiaModelsOptions,
  type PiaModels,
  type LoadReport,
  type Loaded,
  type SessionSettings,
  type UNetSources,
} from './load.js';
