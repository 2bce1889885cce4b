/** ONNX graph builder, writer and onnxruntime session helper. */
export { GraphBuilder, type GraphBuilderConfig } from './graph-builder.js';
export type { GraphBuilderOptions, InitializerOptions, NodeOptions, Operand, GraphSnapshot } from './graph-base.js';
export type { Ints } from './ops-shape.js';
export type { ConvOptions, GemmOptions, ResizeOptions } from './ops-nn.js';
export { MS_DOMAIN, type AttentionOptions } from './ops-attention.js';
export { Value, attr, type ValueKind } from './value.js';
export { type DType as OnnxDType, isDType as isOnnxDType, dtypeBytes as onnxDTypeBytes } from './dtype.js';
export type { Dim as OnnxDim, AttributeValue } from './onnx-proto.js';
export type { TensorSource, TensorInit, TypedArray as OnnxTypedArray } from './tensor-data.js';
export { IR_VERSION, ONNX_OPSET, MS_OPSET, ONNX_BUILDER_VERSION, type SaveOptions, type SavedModel } from './model-writer.js';
export { OnnxError, OnnxSessionError, type OnnxErrorCode } from './errors.js';
export {
  OnnxSession,
  SPINNING_ENV,
  defaultSpinning,
  disposeTensor,
  hostData,
  keepsTensorsOnDevice,
  ortSessionOptions,
  type SessionOptions as OnnxSessionOptions,
  type TensorFeed,
  type WebGpuLayout,
} from './session.js';
export { DEVICES, assertDevice, isDevice, isGpuDevice, parseDevice, type Device, type DeviceCheckOptions } from './device.js';
export {
  VULKAN_LOADER,
  WebGpuProviderError,
  assertWebGpuProvider,
  findVulkanLoader,
  probeWebGpu,
  vulkanDriverManifests,
  webgpuProviderHint,
  type WebGpuProbe,
  type WebGpuProbeOptions,
} from './webgpu-provider.js';
export {
  CUDA_PROVIDER_FILES,
  CudaProviderError,
  assertCudaProvider,
  cudaProviderHint,
  missingCudaProviderFiles,
  ortBindingDir,
  ortVersion,
} from './cuda-provider.js';
export { weightTensor } from './weight-tensor.js';
export { DeviceTransfer } from './device-transfer.js';
export { SHAPE_OPS, cpuFallbacks, nodePlacement, parsePlacement, type NodePlacement, type ProviderPlacement } from './placement.js';
export { checkDeviceGraphs, checkFusedAttention, checkNhwcConv, deviceGraphChoices, type DeviceGraphChoices, type OpCheck } from './device-self-check.js';
