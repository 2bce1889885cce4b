/**
 * @piagraph/nodes-pia: the PIA node pack and the model code under it (Node-only entry).
 * Each area has its own barrel; add one `export *` line per area below.
 */
export * from './pack.js';
export * from './affinity/index.js';
export * from './schedulers/index.js';
export * from './random/index.js';
export * from './samplers/index.js';
export * from './onnx/index.js';
export * from './tokenizer/index.js';
export * from './image/index.js';
export * from './video/index.js';
export * from './models/index.js';
export * from './checkpoints/index.js';
export * from './demo/index.js';
export * from './weights/index.js';
export * from './nodes/index.js';
export * from './pipeline/index.js';
export * from './lora/index.js';
export * from './device-check/index.js';
