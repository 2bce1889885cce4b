/**
 * The devices piagraph runs its graphs on, named as onnxruntime names their execution providers, and the check that
 * one can run here before any graph is built.
 */
import { assertCudaProvider } from './cuda-provider.js';
import { OnnxError } from './errors.js';
import { assertWebGpuProvider } from './webgpu-provider.js';

/** `cpu` everywhere; `cuda` with onnxruntime's CUDA provider libraries; `webgpu` on any Vulkan (Linux), D3D12 or Metal GPU. */
export type Device = 'cpu' | 'cuda' | 'webgpu';

/** Every device, default first. */
export const DEVICES: readonly Device[] = ['cpu', 'cuda', 'webgpu'];

/** True when `name` is a device. */
export function isDevice(name: unknown): name is Device {
  return typeof name === 'string' && (DEVICES as readonly string[]).includes(name);
}

/** Checks a device name, throwing `unknown-device` naming `what` (a flag, an option) when it is not one. */
export function parseDevice(name: unknown, what = 'device'): Device {
  if (!isDevice(name)) {
    throw new OnnxError('unknown-device', `${what} must be one of ${DEVICES.join(', ')}, got ${JSON.stringify(name)}`, { device: name });
  }
  return name;
}

/** Whether tensors on `device` live in GPU memory (so graphs default to float16 there). */
export function isGpuDevice(device: Device): boolean {
  return device !== 'cpu';
}

/** Where each device's provider is looked for; tests point these elsewhere. */
export interface DeviceCheckOptions {
  /** Folder of the CUDA provider libraries (default: next to onnxruntime-node's binding). */
  readonly cudaProviderDir?: string;
  /** Environment the WebGPU probe runs in (default this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Rejects unless sessions on `device` can be opened here: `cuda` needs the provider libraries next to the binding
 * (`CudaProviderError`), `webgpu` a GPU adapter that Dawn can open (`WebGpuProviderError`, probed once per process).
 */
export async function assertDevice(device: Device, options: DeviceCheckOptions = {}): Promise<void> {
  if (device === 'cuda') assertCudaProvider(options.cudaProviderDir);
  else if (device === 'webgpu') await assertWebGpuProvider(options.env);
}
