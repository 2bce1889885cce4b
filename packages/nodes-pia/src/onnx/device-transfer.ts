/**
 * Moving tensors between the host and a device with onnxruntime-node 1.30, which has no upload or download call for
 * device tensors: an upload is an Identity graph whose output is kept on the device, a download an Identity graph
 * whose input is a device tensor and whose output comes back to the host. On the CPU both are plain copies, so code
 * written against this runs unchanged on every device.
 */
import * as ort from 'onnxruntime-node';
import type { Device } from './device.js';
import type { DType } from './dtype.js';
import { GraphBuilder } from './graph-builder.js';
import { OnnxSession } from './session.js';

/** Sessions of one device that copy tensors of any shape (per element type and rank) to and from it. */
export class DeviceTransfer {
  readonly #sessions = new Map<string, Promise<OnnxSession>>();

  constructor(readonly device: Device) {}

  /** `tensor` (a host tensor, or a device tensor of another session) as a tensor on this device. */
  async toDevice(tensor: ort.Tensor): Promise<ort.Tensor> {
    const session = await this.#session('upload', tensor.type as DType, tensor.dims.length);
    return (await session.run({ x: tensor })).y!;
  }

  /** `tensor` on the host. A host tensor is returned as it is; the caller still owns (and disposes) a device one. */
  async toHost(tensor: ort.Tensor): Promise<ort.Tensor> {
    if (tensor.location === 'cpu') return tensor;
    const session = await this.#session('download', tensor.type as DType, tensor.dims.length);
    return (await session.run({ x: tensor })).y!;
  }

  /** Releases the copy sessions; every device tensor they made must have been disposed first. */
  async release(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s).release()));
  }

  #session(direction: 'upload' | 'download', dtype: DType, rank: number): Promise<OnnxSession> {
    const key = `${direction}:${dtype}:${rank}`;
    let session = this.#sessions.get(key);
    if (!session) {
      session = (async () => {
        const g = new GraphBuilder(`${direction}-${dtype}-rank${rank}`);
        const x = g.input('x', dtype, Array.from({ length: rank }, (_, i) => `d${i}`));
        g.output(g.identity(x), 'y');
        return OnnxSession.load(`(${direction} ${dtype} rank ${rank})`, {
          modelBytes: await g.toBytes(),
          executionProviders: [this.device],
          deviceOutputs: direction === 'upload' ? ['y'] : [],
          threads: 1,
          // onnxruntime would remove the Identity and with it the copy the graph exists for.
          optimization: 'disabled',
        });
      })();
      this.#sessions.set(key, session);
      session.catch(() => this.#sessions.delete(key));
    }
    return session;
  }
}
