/** Checkpoint file formats: safetensors and PyTorch zip checkpoints behind one lazy {@link WeightSource} interface. */
export * from './errors.js';
export * from './dtype.js';
export * from './half.js';
export * from './weight-source.js';
export * from './tensor-input.js';
export * from './safetensors-header.js';
export * from './safetensors-read.js';
export * from './safetensors-write.js';
export { unpickle, isPickleTuple, type PickleCallable, type UnpickleOptions } from './pickle.js';
export { PickleWriter } from './pickle-write.js';
export { TORCH_STORAGE_DTYPES, TorchTensorRef, torchUnpickleOptions, type TorchStorageRef } from './torch-pickle.js';
export * from './torch-zip.js';
export * from './torch-zip-write.js';
export * from './weight-dir.js';
export * from './open-weights.js';
