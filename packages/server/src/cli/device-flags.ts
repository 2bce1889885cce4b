/** `--device` and `--precision`, shared by `serve` and `run`. */
import { DEVICES, isDevice, type Device, type Precision } from '@piagraph/nodes-pia';
import { CliUsageError } from './cli-io.js';

/** The help lines of both flags. */
export const DEVICE_FLAGS_USAGE = `  --device cpu|cuda|webgpu onnxruntime device for the PIA nodes (default cpu; webgpu: any Vulkan GPU, see README)
  --precision fp16|fp32    graph precision (default fp32 on the CPU, fp16 on a GPU)`;

/** The parseArgs options of both flags. */
export const DEVICE_FLAG_OPTIONS = { device: { type: 'string' }, precision: { type: 'string' } } as const;

const PRECISIONS: Readonly<Record<string, Precision>> = { fp16: 'float16', fp32: 'float32' };

/** The device and precision the flags ask for (absent when not given), or a usage error naming the flag. */
export function parseDeviceFlags(values: { device?: string | undefined; precision?: string | undefined }): { device?: Device; precision?: Precision } {
  if (values.device !== undefined && !isDevice(values.device)) {
    throw new CliUsageError(`--device must be ${DEVICES.join(', ')}, got "${values.device}"`);
  }
  const precision = values.precision === undefined ? undefined : PRECISIONS[values.precision];
  if (values.precision !== undefined && precision === undefined) {
    throw new CliUsageError(`--precision must be fp16 or fp32, got "${values.precision}"`);
  }
  return { ...(values.device !== undefined ? { device: values.device } : {}), ...(precision ? { precision } : {}) };
}
