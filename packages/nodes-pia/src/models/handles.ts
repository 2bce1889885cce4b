/**
 * Ready-to-run networks over onnxruntime sessions: Float32Arrays and dims in and out, input shapes checked
 * with messages that say what was expected.
 */
import * as ort from 'onnxruntime-node';
import { DeviceTransfer, disposeTensor, type OnnxSession } from '../onnx/index.js';
import { fillNormal, type Seed } from '../random/index.js';
import type { PiaModelConfig } from './config.js';
import { CLIP_IO } from './clip.js';
import { UNET_IO, type UNetVariant } from './unet.js';
import { VAE_IO } from './vae.js';

/** A float tensor: values and dims. */
export interface FloatTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** An input of the wrong shape or length. */
export class ModelInputError extends Error {
  override readonly name = 'ModelInputError';
  constructor(
    readonly model: string,
    readonly input: string,
    message: string,
  ) {
    super(`${model} input '${input}': ${message}`);
  }
}

function check(model: string, input: string, t: { data: ArrayLike<unknown>; dims: readonly number[] }, expected: readonly (number | string)[]): void {
  const ok = t.dims.length === expected.length && expected.every((e, i) => typeof e === 'string' || t.dims[i] === e);
  if (!ok) throw new ModelInputError(model, input, `dims [${t.dims.join(', ')}] do not match [${expected.join(', ')}]`);
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new ModelInputError(model, input, `${t.data.length} values for dims [${t.dims.join(', ')}] (${n})`);
}

function out(t: ort.Tensor | undefined, model: string, name: string): FloatTensor {
  if (!t) throw new ModelInputError(model, name, 'the session returned no such output');
  return { data: t.data as Float32Array, dims: [...t.dims] };
}

const f32 = (t: FloatTensor) => ({ dtype: 'float32' as const, shape: t.dims, data: t.data });

/** A U-Net (image or PIA, see {@link UNetVariant}): one denoising step for a batch of frame stacks. */
export class UNetHandle {
  constructor(
    readonly session: OnnxSession,
    readonly config: PiaModelConfig,
    readonly variant: UNetVariant = { inChannels: config.unet.inChannels, motion: true },
  ) {}

  /**
   * Predicts noise. `sample [B, C, F, h, w]`: for PIA C = 9 (noisy latent | affinity | condition latent), for the
   * image U-Net C = 4 and the F "frames" are independent images; `text [B, L, D]` (unconditional first for CFG), or
   * `[B·F, L, D]` per frame for a graph built with `textPerFrame`;
   * one `timestep` for the batch. Returns `[B, 4, F, h, w]`.
   */
  async run(sample: FloatTensor, timestep: number, text: FloatTensor): Promise<FloatTensor> {
    const u = this.config.unet;
    check('unet', UNET_IO.sample, sample, ['B', this.variant.inChannels, 'F', 'h', 'w']);
    const frames = sample.dims[2]!;
    check('unet', UNET_IO.text, text, [this.variant.textPerFrame ? sample.dims[0]! * frames : sample.dims[0]!, 'L', u.crossAttentionDim]);
    const maxFrames = this.variant.maxFrames ?? u.motionMaxFrames;
    if (this.variant.motion && frames > maxFrames) throw new ModelInputError('unet', UNET_IO.sample, `${frames} frames; the motion modules take at most ${maxFrames}`);
    const result = await this.runOnDevice(new ort.Tensor('float32', sample.data, [...sample.dims]), timestep, new ort.Tensor('float32', text.data, [...text.dims]));
    if (result.location === 'cpu') return out(result, 'unet', UNET_IO.out);
    try {
      return out(await this.#transfer().toHost(result), 'unet', UNET_IO.out);
    } finally {
      disposeTensor(result);
    }
  }

  /**
   * One U-Net call on tensors that may already be on the device (a device-resident sampler's latents and text);
   * `sample [B, C, F, h, w]` and `text [B, L, D]` are trusted to fit (no shape checks: they stay on the device).
   * Returns the noise prediction where the session keeps it: on WebGPU a device tensor the caller must dispose,
   * elsewhere a host tensor.
   */
  async runOnDevice(sample: ort.Tensor, timestep: number, text: ort.Tensor): Promise<ort.Tensor> {
    const result = await this.session.run(
      { [UNET_IO.sample]: sample, [UNET_IO.timestep]: { dtype: 'float32', shape: [1], data: Float32Array.of(timestep) }, [UNET_IO.text]: text },
      [UNET_IO.out],
    );
    const prediction = result[UNET_IO.out];
    if (!prediction) throw new ModelInputError('unet', UNET_IO.out, 'the session returned no such output');
    return prediction;
  }

  #copies: DeviceTransfer | undefined;
  readonly #companions = new Map<string, Promise<{ release(): Promise<void> }>>();

  /** Copies between the host and this U-Net's device (made on first use), released with the handle. */
  #transfer(): DeviceTransfer {
    this.#copies ??= new DeviceTransfer(this.session.device);
    return this.#copies;
  }

  /** The {@link DeviceTransfer} of this U-Net's device, for code that keeps tensors there (the device-resident loop). */
  get transfer(): DeviceTransfer {
    return this.#transfer();
  }

  /**
   * A small session that works with this U-Net on its device (the device loop's step graphs), opened once by `open`
   * and released with the handle, so a run does not pay for building and opening it (on a GPU: compiling its shaders).
   */
  companion<T extends { release(): Promise<void> }>(key: string, open: () => Promise<T>): Promise<T> {
    let entry = this.#companions.get(key);
    if (!entry) {
      entry = open();
      this.#companions.set(key, entry);
      entry.catch(() => this.#companions.delete(key));
    }
    return entry as Promise<T>;
  }

  async release(): Promise<void> {
    const companions = [...this.#companions.values()];
    this.#companions.clear();
    await Promise.all(companions.map((c) => c.then((s) => s.release(), () => undefined)));
    await this.#copies?.release();
    await this.session.release();
  }
}

/** How the condition latent is taken from the VAE posterior. */
export interface EncodeLatentOptions {
  /** `'sample'` (PIA: mean + std·ε with a seeded ε) or `'mean'` (deterministic). Default `'sample'`. */
  readonly mode?: 'sample' | 'mean';
  readonly seed?: Seed;
}

/** Options of {@link VaeHandle.decode}. */
export interface DecodeOptions {
  /** Images decoded per session call (default 1, as PIA decodes frame by frame) so memory stays bounded. */
  readonly chunkSize?: number;
}

/** The VAE: encoder to the posterior, decoder from latents. */
export class VaeHandle {
  constructor(
    readonly encoder: OnnxSession,
    readonly decoder: OnnxSession,
    readonly config: PiaModelConfig,
  ) {}

  /** `image [N, 3, H, W]` in [−1, 1] → posterior mean and log-variance `[N, 4, H/8, W/8]`. */
  async encode(image: FloatTensor): Promise<{ mean: FloatTensor; logvar: FloatTensor }> {
    check('vae encoder', VAE_IO.image, image, ['N', this.config.vae.imageChannels, 'H', 'W']);
    const result = await this.encoder.run({ [VAE_IO.image]: f32(image) });
    return { mean: out(result[VAE_IO.mean], 'vae encoder', VAE_IO.mean), logvar: out(result[VAE_IO.logvar], 'vae encoder', VAE_IO.logvar) };
  }

  /** The condition latent PIA uses: a posterior sample (or the mean) × the scaling factor (0.18215). */
  async encodeLatent(image: FloatTensor, options: EncodeLatentOptions = {}): Promise<FloatTensor> {
    const { mean, logvar } = await this.encode(image);
    const z = new Float32Array(mean.data.length);
    if ((options.mode ?? 'sample') === 'sample') fillNormal(z, options.seed ?? 0);
    const s = this.config.vae.scalingFactor;
    for (let i = 0; i < z.length; i++) {
      const std = options.mode === 'mean' ? 0 : Math.exp(0.5 * logvar.data[i]!);
      z[i] = (mean.data[i]! + std * z[i]!) * s;
    }
    return { data: z, dims: mean.dims };
  }

  /**
   * Decodes scaled latents `[N, 4, h, w]` (as the sampler produces them; divided by the scaling factor here)
   * to images `[N, 3, 8h, 8w]` in about [−1, 1], `chunkSize` images per session call.
   */
  async decode(latents: FloatTensor, options: DecodeOptions = {}): Promise<FloatTensor> {
    const v = this.config.vae;
    check('vae decoder', VAE_IO.latent, latents, ['N', v.latentChannels, 'h', 'w']);
    const chunk = options.chunkSize ?? 1;
    if (!Number.isInteger(chunk) || chunk < 1) throw new ModelInputError('vae decoder', 'chunkSize', `must be a positive integer, got ${chunk}`);
    const [n, c, h, w] = latents.dims as [number, number, number, number];
    const per = c * h * w;
    let result: Float32Array | undefined;
    let dims: number[] = [];
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const part = latents.data.slice(start * per, (start + count) * per).map((x) => x / v.scalingFactor);
      const decoded = out((await this.decoder.run({ [VAE_IO.latent]: { dtype: 'float32', shape: [count, c, h, w], data: part } }))[VAE_IO.decoded], 'vae decoder', VAE_IO.decoded);
      const perImage = decoded.data.length / count;
      result ??= new Float32Array(n * perImage);
      result.set(decoded.data, start * perImage);
      dims = [n, ...decoded.dims.slice(1)];
    }
    return { data: result ?? new Float32Array(0), dims };
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}

/** The CLIP text encoder. */
export class ClipHandle {
  constructor(
    readonly session: OnnxSession,
    readonly config: PiaModelConfig,
  ) {}

  /** Token ids `[B, S]` (S ≤ 77) → hidden states `[B, S, width]` (after the final LayerNorm, clip-skip applied). */
  async encode(ids: { data: ArrayLike<number> | BigInt64Array; dims: readonly number[] }): Promise<FloatTensor> {
    check('clip', CLIP_IO.ids, ids, ['B', 'S']);
    if (ids.dims[1]! > this.config.clip.maxPositions) throw new ModelInputError('clip', CLIP_IO.ids, `${ids.dims[1]} tokens; at most ${this.config.clip.maxPositions}`);
    const data = ids.data instanceof BigInt64Array ? ids.data : BigInt64Array.from(Array.from(ids.data as ArrayLike<number>), (v) => BigInt(v));
    const result = await this.session.run({ [CLIP_IO.ids]: { dtype: 'int64', shape: ids.dims, data } });
    return out(result[CLIP_IO.out], 'clip', CLIP_IO.out);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
