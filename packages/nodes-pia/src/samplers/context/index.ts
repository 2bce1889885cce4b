/** Context windows: long animations sampled in overlapping windows of frames, fused per frame. */
export * from './options.js';
export { ContextError } from './errors.js';
export { activeContextOptions, contextWindows, layoutWindows, orderedHalving, roundHalfEven, windowsApply } from './windows.js';
export { fuseWeights, pyramidWeights, seededRandom, type FuseInputs } from './fuse.js';
export { planWindowCalls, type WindowCall, type WindowPlan } from './plan.js';
export { KeyframeTracker, inPercentRange, sortByStart, type Scheduled } from './schedule.js';
export { mixReused, NaiveReuseRun } from './naive-reuse.js';
export { withContextWindows, type FrameModel, type SamplingProgress } from './windowed-model.js';
