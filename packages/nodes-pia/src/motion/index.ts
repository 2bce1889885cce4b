/** Motion models (AnimateDiff v1/v2/v3, PIA) as AnimateDiff-Evolved loads them: recognising, binding, their settings. */
export * from './motion-model.js';
export { recogniseMotionModel } from './recognise.js';
export { bindMotionModel, motionFileSpecs, motionModelInfo, openMotionModel, type MotionModelFile } from './bind.js';
