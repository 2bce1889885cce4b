/**
 * The timing half of the device checks: milliseconds per U-Net call (tensors on the device, and with the host round
 * trip the host loop pays), per whole animation (device-resident and host loops) and per VAE decode of its frames.
 * A GPU runs asynchronously, so every timed span ends with a read back to the host: the time is the work's, not its
 * submission's.
 */
import * as ort from 'onnxruntime-node';
import type { PiaModels } from '../models/index.js';
import { disposeTensor } from '../onnx/index.js';
import { assembleUNetInput, stackEmbeddings } from '../pipeline/conditioning.js';
import { decodeVideoLatent } from '../pipeline/decode.js';
import { sampleVideo } from '../pipeline/sampler.js';
import { randn } from '../random/index.js';
import { sampleInputs, type LatentSize } from './fixtures.js';

/** Milliseconds, median of the repeats where there are several. */
export interface TimingReport {
  readonly size: LatentSize;
  readonly steps: number;
  readonly repeats: number;
  /** One U-Net call `[2, 9, F, h, w]` with its inputs and output on the device. */
  readonly unetDeviceMs: number;
  /** The same with host arrays in and out (what the host loop pays per step). */
  readonly unetHostMs: number;
  /** A whole animation of `steps` steps on the device-resident loop, no previews. */
  readonly sampleDeviceMs: number;
  /** The same on the host loop (absent when skipped). */
  readonly sampleHostMs?: number;
  /** Decoding its F frames, 4 per VAE call. */
  readonly decodeMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Times `models` (U-Net and VAE) at `size`; `hostSample` also times a whole animation on the host loop. */
export async function measureTiming(models: PiaModels, size: LatentSize, steps: number, repeats: number, hostSample = true): Promise<TimingReport> {
  const cfg = models.config;
  const shape = { channels: cfg.unet.latentChannels, frames: size.frames, height: size.height, width: size.width };
  const inputs = await sampleInputs(models.vae!, cfg.unet.crossAttentionDim, size);
  const latent = randn(shape.channels * shape.frames * shape.height * shape.width, 21);
  const sampleDims = [2, 2 * shape.channels + 1, shape.frames, shape.height, shape.width];
  const sample = assembleUNetInput(latent, inputs.mask, inputs.conditionLatent, shape, 2);
  const textDims = [2, inputs.textDims[0], inputs.textDims[1]];
  const text = stackEmbeddings([inputs.negative, inputs.positive]);
  const unet = models.unet!;

  await unet.run({ data: sample, dims: sampleDims }, 961, { data: text, dims: textDims }); // warm-up: kernels, allocations
  const host: number[] = [];
  for (let r = 0; r < repeats; r++) host.push(await timed(() => unet.run({ data: sample, dims: sampleDims }, 961 - r, { data: text, dims: textDims })));

  const transfer = unet.transfer;
  const device: number[] = [];
  const sampleOnDevice = await transfer.toDevice(new ort.Tensor('float32', sample, sampleDims));
  const textOnDevice = await transfer.toDevice(new ort.Tensor('float32', text, textDims));
  for (let r = 0; r < repeats; r++) {
    device.push(
      await timed(async () => {
        const out = await unet.runOnDevice(sampleOnDevice, 961 - r, textOnDevice);
        await transfer.toHost(out); // waits for the GPU to finish the call
        disposeTensor(out);
      }),
    );
  }
  disposeTensor(sampleOnDevice);
  disposeTensor(textOnDevice);

  const run = { ...inputs, unet, seed: 7, steps, cfg: 7.5 };
  // One step first: the step graph's session is opened (and on a GPU its shaders compiled) once per U-Net.
  await sampleVideo({ ...run, steps: 1, loop: 'device', previews: false });
  let final: Float32Array = new Float32Array(0);
  const sampleDeviceMs = await timed(async () => (final = await sampleVideo({ ...run, loop: 'device', previews: false })));
  const sampleHostMs = hostSample ? await timed(() => sampleVideo({ ...run, loop: 'host' })) : undefined;
  const decodeMs = await timed(() => decodeVideoLatent(models.vae!, final, [1, shape.channels, shape.frames, shape.height, shape.width], 4));
  return {
    size,
    steps,
    repeats,
    unetDeviceMs: median(device),
    unetHostMs: median(host),
    sampleDeviceMs,
    ...(sampleHostMs !== undefined ? { sampleHostMs } : {}),
    decodeMs,
  };
}
