/** The PIA pipeline as helpers the nodes share: conditioning tensors, the sampler loop, previews, decoding, model files. */
export * from './errors.js';
export * from './conditioning.js';
export * from './sampler.js';
export * from './device-loop.js';
export * from './preview.js';
export * from './decode.js';
export * from './text.js';
export * from './condition-image.js';
export * from './affinity-schedule.js';
export * from './sizes.js';
export * from './pia-defaults.js';
export * from './model-folders.js';
export * from './model-store.js';
export * from './recipes.js';
export * from './demo-assets.js';
export * from './demo-weights.js';
