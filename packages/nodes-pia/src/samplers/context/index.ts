/** Context windows: long animations sampled in overlapping windows of frames, fused per frame. */
export * from './options.js';
export { activeContextOptions, contextWindows, orderedHalving } from './windows.js';
export { fuseWeights, pyramidWeights } from './fuse.js';
export { withContextWindows, type FrameModel, type SamplingProgress } from './windowed-model.js';
