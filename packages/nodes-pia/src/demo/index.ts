/** Generated tiny (and full-size random) models in the real checkpoint layouts. */
export * from './demo-models.js';
export * from './generate.js';
export { initTensor, type InitOptions } from './random-init.js';
export * from './full-size.js';
export * from './demo-lora.js';
