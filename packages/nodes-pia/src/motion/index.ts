/** Motion models (AnimateDiff v1/v2/v3, PIA) as AnimateDiff-Evolved loads them: recognising, binding, their settings. */
export * from './motion-model.js';
export { recogniseMotionModel } from './recognise.js';
export { bindMotionModel, motionFileSpecs, motionModelInfo, openMotionModel, type MotionModelFile } from './bind.js';
export * from './beta-schedules.js';
export * from './settings.js';
export { openMotionLora, bindMotionLora, type MotionLoraFile, type MotionLoraUpdate } from './motion-lora.js';
export { motionPatchTensors, isIdentityPatch, type MotionPatch } from './patches.js';
export { motionUNetGraph, type MotionUNetSources } from './unet-graph.js';
export { withMotionPatch } from './patch-session.js';
export { adeInitialNoise, replacesNoise, torchRandperm } from './noise.js';
export { PIA_PAPER_PRESETS, PIA_PAPER_PRESET_NAMES, piaInputValues, type PiaPaperPreset } from './pia-presets.js';
